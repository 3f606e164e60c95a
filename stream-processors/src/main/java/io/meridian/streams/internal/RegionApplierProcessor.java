package io.meridian.streams.internal;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.ApplyOutcome;
import io.meridian.streams.ApplyOutcome.Verdict;
import io.meridian.streams.RegionApplierTopology;
import io.meridian.streams.StoredDocument;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one WAL partition in log order. Its decisions depend only on the log (fences and records), never on local
 * time or on this region's configuration, so every region decides every record the same way; only whether the
 * document is materialized depends on the region. Runs on one stream thread per task.
 */
public final class RegionApplierProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RegionApplierProcessor.class);

    private final String region;
    private final ApplyListener listener;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, StoredDocument> docs;
    private KeyValueStore<String, Placement> fences;
    private KeyValueStore<Integer, Long> positions;
    private WindowStore<String, String> writeIds;

    public RegionApplierProcessor(String region, ApplyListener listener) {
        this.region = region;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        docs = context.getStateStore(RegionApplierTopology.DOCS_STORE);
        fences = context.getStateStore(RegionApplierTopology.FENCES_STORE);
        positions = context.getStateStore(RegionApplierTopology.POSITIONS_STORE);
        writeIds = context.getStateStore(RegionApplierTopology.WRITE_IDS_STORE);
        // After a restart or a rebalance the restored positions tell readers how far this region already is.
        Long restored = positions.get(context.taskId().partition());
        if (restored != null) {
            listener.onApplied(new Position(context.taskId().partition(), restored));
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Position position = new Position(meta.partition(), meta.offset());
        WalRecord wal = parse(record, meta);
        if (wal instanceof WalRecord.Fence fence) {
            applyFence(fence, position);
        } else if (wal instanceof WalRecord.DataRecord data) {
            listener.onDecided(applyOnce(data, position, record.timestamp()));
        }
        positions.put(position.partition(), position.offset());
        listener.onApplied(position);
    }

    private WalRecord parse(Record<String, byte[]> record, RecordMetadata meta) {
        String reason;
        if (record.value() == null) {
            reason = "null value";
        } else {
            try {
                WalRecord wal = Topics.WAL.valueSerde().deserializer().deserialize(meta.topic(), record.value());
                if (wal.tenant().equals(record.key())) {
                    return wal;
                }
                reason = "record key '" + record.key() + "' is not its tenant '" + wal.tenant() + "'";
            } catch (SerializationException e) {
                reason = e.getMessage();
            }
        }
        LOG.warn("unreadable WAL record {}-{}@{} sent to {}: {}", meta.topic(), meta.partition(), meta.offset(),
                Topics.DLQ.name(), reason);
        byte[] payload = record.value() == null ? new byte[0] : record.value();
        DeadLetter letter = new DeadLetter(meta.topic(), meta.partition(), meta.offset(), region, reason,
                Base64.getEncoder().encodeToString(payload), record.timestamp());
        context.forward(new Record<String, Object>(meta.topic() + "-" + meta.partition() + "@" + meta.offset(), letter,
                record.timestamp()), RegionApplierTopology.DLQ_SINK);
        return null;
    }

    private void applyFence(WalRecord.Fence fence, Position position) {
        Placement current = fences.get(fence.tenant());
        Placement next = fence.placement();
        if (current != null && next.epoch() <= current.epoch()) {
            LOG.warn("ignoring fence tenant={} epoch={} at {}: epoch {} is already in force", fence.tenant(),
                    next.epoch(), position, current.epoch());
            return;
        }
        fences.put(fence.tenant(), next);
        if (current != null && current.isReplicatedTo(region) && !next.isReplicatedTo(region)) {
            dropTenant(fence.tenant());
        }
        LOG.debug("fence tenant={} epoch={} primary={} writes={} at {}", fence.tenant(), next.epoch(), next.primary(),
                next.writes().wireName(), position);
    }

    /** This region stopped being a replica of the tenant: its copy goes. */
    private void dropTenant(String tenant) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, StoredDocument> it = docs.prefixScan(tenant + "/", new StringSerializer())) {
            it.forEachRemaining((KeyValue<String, StoredDocument> kv) -> keys.add(kv.key));
        }
        keys.forEach(docs::delete);
        LOG.info("tenant={} is no longer replicated to {}: dropped {} documents", tenant, region, keys.size());
    }

    /**
     * A write whose id was accepted before (a client retry with the same Idempotency-Key) gets the first write's
     * outcome and is not applied again: a late retry must not overwrite newer writes. Decided by record time only,
     * so every region decides the same way.
     */
    private ApplyOutcome applyOnce(WalRecord.DataRecord data, Position position, long timestamp) {
        String id = data.tenant() + "/" + data.writeId();
        try (WindowStoreIterator<String> seen = writeIds.fetch(id,
                timestamp - RegionApplierTopology.IDEMPOTENCY_WINDOW.toMillis(), timestamp)) {
            if (seen.hasNext()) {
                String first = seen.next().value;
                Placement fence = fences.get(data.tenant());
                return new ApplyOutcome(data.writeId(), Position.parse(first), Verdict.ACCEPTED, fence,
                        "duplicate of the write at " + first + " (same Idempotency-Key): not applied again");
            }
        }
        ApplyOutcome outcome = applyData(data, position, timestamp);
        if (outcome.accepted()) {
            writeIds.put(id, position.toString(), timestamp);
        }
        return outcome;
    }

    private ApplyOutcome applyData(WalRecord.DataRecord data, Position position, long timestamp) {
        Placement fence = fences.get(data.tenant());
        if (fence == null) {
            return new ApplyOutcome(data.writeId(), position, Verdict.REJECTED_UNKNOWN_TENANT, null,
                    "tenant " + data.tenant() + " has no placement");
        }
        if (fence.writes() == WriteState.PAUSED) {
            // Whatever the strategy: a write that raced a pause must not slip past a migration's drain point.
            return new ApplyOutcome(data.writeId(), position, Verdict.REJECTED_PAUSED, fence,
                    "writes of tenant " + data.tenant() + " are paused at epoch " + fence.epoch());
        }
        if (data.epoch() > fence.epoch()) {
            return new ApplyOutcome(data.writeId(), position, Verdict.REJECTED_STALE_EPOCH, fence,
                    "epoch " + data.epoch() + " is newer than the fence in force (" + fence.epoch() + ")");
        }
        if (data.epoch() == fence.epoch()) {
            if (!fence.acceptsWritesIn(data.region())) {
                return new ApplyOutcome(data.writeId(), position, Verdict.REJECTED_NOT_WRITABLE_HERE, fence,
                        "region " + data.region() + " does not accept writes for tenant " + data.tenant()
                                + " (primary " + fence.primary() + ")");
            }
            write(fence, data, position, data instanceof WalRecord.Put put ? put.value() : null);
            return new ApplyOutcome(data.writeId(), position, Verdict.ACCEPTED, fence, "applied");
        }
        return resolveConflict(fence, data, position, timestamp);
    }

    private ApplyOutcome resolveConflict(Placement fence, WalRecord.DataRecord data, Position position, long timestamp) {
        StoredDocument current = docs.get(RegionApplierTopology.docKey(data.tenant(), data.key()));
        ConflictResolution resolution = ConflictResolution.resolve(fence.strategy(), data, current);
        if (resolution.applies()) {
            write(fence, data, position, resolution.value());
        }
        ConflictRecord conflict = new ConflictRecord(data.tenant(), data.key(), position.toString(), data.epoch(),
                fence.epoch(), data.region(), region, fence.strategy(), resolution.resolution(), resolution.reason(),
                timestamp);
        // Only regions holding the tenant report: they alone know the stored document (lww needs its timestamp), so
        // their reports agree; the verdict above is the same everywhere either way.
        if (fence.isReplicatedTo(region)) {
            context.forward(new Record<String, Object>(data.tenant(), conflict, timestamp),
                    RegionApplierTopology.CONFLICTS_SINK);
            listener.onConflict(conflict);
        }
        LOG.info("conflict tenant={} key={} at {}: record epoch {} < fence epoch {}, strategy {} -> {}", data.tenant(),
                data.key(), position, data.epoch(), fence.epoch(), fence.strategy().wireName(),
                resolution.resolution().wireName());
        Verdict verdict = resolution.resolution() == ConflictRecord.Resolution.REJECTED
                ? Verdict.REJECTED_STALE_EPOCH : Verdict.ACCEPTED;
        return new ApplyOutcome(data.writeId(), position, verdict, fence, resolution.reason());
    }

    /** Materializes the write if this region holds a copy of the tenant; a null value deletes. */
    private void write(Placement fence, WalRecord.DataRecord data, Position position,
                       com.fasterxml.jackson.databind.JsonNode value) {
        if (!fence.isReplicatedTo(region)) {
            return;
        }
        String key = RegionApplierTopology.docKey(data.tenant(), data.key());
        if (value == null) {
            docs.delete(key);
        } else {
            docs.put(key, new StoredDocument(value, position.toString(), data.epoch(), data.hlc(), data.region()));
        }
    }
}
