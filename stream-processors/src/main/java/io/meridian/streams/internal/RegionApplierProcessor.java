package io.meridian.streams.internal;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.SyncRecord;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalHeaders;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplierStores;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.ApplyOutcome;
import io.meridian.streams.ApplyOutcome.Verdict;
import io.meridian.streams.StoredDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one WAL partition in log order. Its decisions depend only on the log (fences and records), never on local
 * time, on producer clocks or on this region's configuration, so every region decides every record the same way;
 * only whether the document is materialized depends on the region. A record it cannot read or will not apply goes to
 * {@code meridian.dlq} with the reason, and the partition goes on. Runs on one stream thread per task.
 */
public final class RegionApplierProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(RegionApplierProcessor.class);
    /** Made once: the applier reads every record with them. */
    private static final Deserializer<WalRecord> WAL_READER = Topics.WAL.valueSerde().deserializer();
    private static final Deserializer<SyncRecord> SYNC_READER = Topics.SYNC.valueSerde().deserializer();

    private final String region;
    private final int walPartitions;
    private final ApplyListener listener;
    private final WriteIdsWindow.Factory writeIdsFactory;
    private final CommitFlush commitFlush;
    private CommitFlush.Registration commitFlushRegistration;
    private ProcessorContext<String, Object> context;
    private TenantDocuments docs;
    private FenceView fences;
    private AppliedPosition applied;
    private KeyValueStore<Integer, Long> controllerEpochs;
    private WriteIdsWindow writeIds;
    private TenantSyncs syncs;
    /** The position restored at init (-1 when none), until the first record after it was checked for a gap. */
    private long restoredPosition;
    private boolean gapChecked;

    /**
     * @param walPartitions the WAL's partition count, to tell a record on the wrong partition from an unknown tenant
     */
    public RegionApplierProcessor(String region, int walPartitions, ApplyListener listener,
                                  WriteIdsWindow.Factory writeIdsFactory, CommitFlush commitFlush) {
        this.region = region;
        this.walPartitions = walPartitions;
        this.listener = listener;
        this.writeIdsFactory = writeIdsFactory;
        this.commitFlush = commitFlush;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        docs = new TenantDocuments(context.getStateStore(ApplierStores.DOCS),
                context.getStateStore(ApplierStores.DIGESTS));
        fences = new FenceView(context.getStateStore(ApplierStores.FENCES));
        applied = AppliedPosition.open(context, context.getStateStore(ApplierStores.POSITIONS));
        controllerEpochs = context.getStateStore(ApplierStores.CONTROLLER_EPOCHS);
        writeIds = writeIdsFactory.open(context);
        syncs = new TenantSyncs(region, context, docs, context.getStateStore(ApplierStores.SYNCS),
                context.getStateStore(ApplierStores.SYNC_PENDING), writeIds, listener,
                tenant -> dropTenant(tenant, "syncs from a snapshot"), this::replay);
        // After a restart or a rebalance the restored position tells readers how far this region already is.
        restoredPosition = applied.current();
        if (restoredPosition >= 0) {
            listener.onApplied(new Position(context.taskId().partition(), restoredPosition));
        }
        gapChecked = false;
        // When a commit starts, the open write-id bucket goes into its cache, and the cached stores are flushed with
        // every other task's (CommitFlush).
        List<CachedStateStore<?, ?>> cached = new ArrayList<>();
        for (String name : List.of(ApplierStores.WRITE_IDS, ApplierStores.CONTROLLER_EPOCHS)) {
            if (context.getStateStore(name) instanceof CachedStateStore<?, ?> store) {
                cached.add(store);
            }
        }
        commitFlushRegistration = commitFlush.register(() -> {
            writeIds.writeOpenBucket();
            cached.forEach(CachedStateStore::flushCache);
        });
        listener.onPartitionOpened(context.taskId().partition());
    }

    @Override
    public void close() {
        if (commitFlushRegistration != null) {
            commitFlushRegistration.close();
        }
        // The task moves to another node of the region (or this node stops): writes waiting here must not wait on.
        listener.onPartitionClosed(context.taskId().partition());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        if (Topics.SYNC.name().equals(meta.topic())) {
            applySync(record, meta);
            return;
        }
        Position position = new Position(meta.partition(), meta.offset());
        if (!gapChecked) {
            gapChecked = true;
            if (meta.offset() > restoredPosition + 1) {
                // Streams resets to the earliest offset when the committed one was deleted: tell the retention guard.
                listener.onGap(meta.partition(), restoredPosition, meta.offset());
            }
        }
        WalRecord wal = parse(record, meta);
        if (wal != null) {
            // Every node's clock moves past every record it applies, so its next write is later than all it has seen.
            listener.onClock(wal.hlc());
        }
        try {
            if (wal instanceof WalRecord.Fence fence) {
                applyFence(fence, position, record.timestamp(), record.value());
            } else if (wal instanceof WalRecord.DataRecord data) {
                if (syncs.holdsRecords(data.tenant())) {
                    // This region is syncing the tenant: decided once its snapshot is merged (TenantSyncs).
                    syncs.hold(data.tenant(), position, record.timestamp(),
                            WalHeaders.hasGeneratedId(record.headers()), record.value(), fences.get(data.tenant()));
                } else {
                    listener.onDecided(decide(data, position, fences.get(data.tenant()),
                            WalHeaders.hasGeneratedId(record.headers()), record.value(), record.timestamp(),
                            meta.topic()));
                }
            }
        } catch (StreamsException e) {
            throw e;  // Streams' own failures (a store, a migrated or fenced task) are not the record's fault
        } catch (RuntimeException e) {
            // A defect on one record must not stop the partition: every region fails alike, so all skip it alike.
            LOG.error("applier failed on WAL record {}; dead-lettered", position, e);
            deadLetter(meta.topic(), position, record.value(), record.timestamp(), DeadLetter.Code.PROCESSING_FAILED,
                    e.toString());
            if (wal instanceof WalRecord.DataRecord data) {
                listener.onDecided(new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.DEAD_LETTERED,
                        fences.get(data.tenant()), "the applier failed on this record: " + e));
            }
        }
        applied.applied(position.offset());
        listener.onApplied(position);
    }

    private WalRecord parse(Record<String, byte[]> record, RecordMetadata meta) {
        String reason;
        if (record.value() == null) {
            reason = "null value";
        } else {
            try {
                WalRecord wal = WAL_READER.deserialize(meta.topic(), record.value());
                if (wal.tenant().equals(record.key())) {
                    return wal;
                }
                reason = "record key '" + record.key() + "' is not its tenant '" + wal.tenant() + "'";
            } catch (SerializationException e) {
                reason = e.getMessage();
            }
        }
        deadLetter(meta.topic(), new Position(meta.partition(), meta.offset()), record.value(), record.timestamp(),
                DeadLetter.Code.UNREADABLE, reason);
        return null;
    }

    private void deadLetter(String topic, Position position, byte[] value, long timestamp, DeadLetter.Code code,
                            String reason) {
        DeadLetter letter = DeadLetter.of(topic, position.partition(), position.offset(), region, code, reason,
                value, timestamp);
        LOG.warn("WAL record {} sent to {}: {} ({})", letter.source(), Topics.DLQ.name(), code.wireName(), reason);
        context.forward(new Record<String, Object>(letter.source(), letter, timestamp), ApplierStores.DLQ_SINK);
        listener.onDeadLetter(letter);
    }

    /** A snapshot record of {@code meridian.sync}: not a WAL record, so no position moves. */
    private void applySync(Record<String, byte[]> record, RecordMetadata meta) {
        SyncRecord rec;
        try {
            rec = SYNC_READER.deserialize(meta.topic(), record.value());
        } catch (SerializationException e) {
            LOG.error("unreadable record on {} at {}:{}; skipped: {}", meta.topic(), meta.partition(), meta.offset(),
                    e.getMessage());
            return;
        }
        syncs.onSyncRecord(rec, applied.current());
    }

    /** A WAL record held while its tenant synced, decided now with the fence that was in force when it came. */
    private void replay(HeldRecord held, int partition) {
        Position position = new Position(partition, held.offset());
        WalRecord wal;
        try {
            wal = WAL_READER.deserialize(Topics.WAL.name(), held.value());
        } catch (SerializationException e) {
            return;  // it was read once already; cannot happen
        }
        if (wal instanceof WalRecord.DataRecord data) {
            listener.onDecided(decide(data, position, held.fence(), held.generatedId(), held.value(),
                    held.timestamp(), Topics.WAL.name()));
        }
    }

    /**
     * A fence from an older controller than one this partition has already seen is ignored: a deposed controller's
     * commit that slipped through cannot take effect, and log order makes that the same decision in every region.
     */
    private void applyFence(WalRecord.Fence fence, Position position, long timestamp, byte[] value) {
        int home = WalPartitioner.partitionOf(fence.tenant(), walPartitions);
        if (home != position.partition()) {
            // Only the controller writes fences, in the tenant's partition: this one was produced by something else.
            deadLetter(Topics.WAL.name(), position, value, timestamp, DeadLetter.Code.WRONG_PARTITION, "fence of"
                    + " tenant " + fence.tenant() + " belongs on WAL partition " + home + ", not " + position.partition()
                    + ": not put in force (only Meridian's controller writes fences)");
            return;
        }
        Long newestController = controllerEpochs.get(position.partition());
        if (newestController != null && fence.controllerEpoch() < newestController) {
            LOG.warn("ignoring fence tenant={} epoch={} at {}: controller epoch {} is older than {} already applied",
                    fence.tenant(), fence.epoch(), position, fence.controllerEpoch(), newestController);
            deadLetter(Topics.WAL.name(), position, value, timestamp, DeadLetter.Code.FENCE_IGNORED, "controller"
                    + " epoch " + fence.controllerEpoch() + " is older than " + newestController + ", already applied"
                    + " on this partition: a deposed controller's fence, not put in force");
            return;
        }
        if (newestController == null || fence.controllerEpoch() > newestController) {
            controllerEpochs.put(position.partition(), fence.controllerEpoch());
        }
        Placement current = fences.get(fence.tenant());
        Placement next = fence.placement();
        if (current != null && next.epoch() <= current.epoch()) {
            LOG.warn("ignoring fence tenant={} epoch={} at {}: epoch {} is already in force", fence.tenant(),
                    next.epoch(), position, current.epoch());
            deadLetter(Topics.WAL.name(), position, value, timestamp, DeadLetter.Code.FENCE_IGNORED, "epoch "
                    + next.epoch() + " of tenant " + fence.tenant() + " is not newer than epoch " + current.epoch()
                    + " in force: not put in force (placement epochs only grow)");
            return;
        }
        fences.put(fence.tenant(), next);
        if (current != null && current.isReplicatedTo(region) && !next.isReplicatedTo(region)) {
            dropTenant(fence.tenant(), "is no longer replicated to " + region);
        }
        syncs.onFence(current, next, position, timestamp);
        LOG.debug("fence tenant={} epoch={} primary={} writes={} controllerEpoch={} at {}", fence.tenant(),
                next.epoch(), next.primary(), next.writes().wireName(), fence.controllerEpoch(), position);
    }

    /** This region's copy of the tenant goes: it stopped being a replica, or a snapshot will replace the copy. */
    private void dropTenant(String tenant, String why) {
        int dropped = docs.drop(tenant);
        LOG.info("tenant={} {}: dropped {} documents in {}", tenant, why, dropped, region);
    }

    /**
     * A write whose id was accepted before (a client retry with the same Idempotency-Key) gets the first write's
     * outcome and is not applied again, so a late retry cannot overwrite newer writes; the same id with another
     * document is refused. Which ids are remembered depends on WAL offsets only ({@link WriteIdsWindow}).
     */
    private ApplyOutcome decide(WalRecord.DataRecord data, Position position, Placement fence, boolean generatedId,
                                byte[] value, long timestamp, String topic) {
        boolean remembersId = remembersIdOf(generatedId, fence) && !syncs.suppressesWrites(data.tenant());
        WriteIdsWindow.Seen seen = remembersId ? writeIds.lookup(data, position) : null;
        if (seen != null) {
            if (!seen.sameDocument()) {
                return new ApplyOutcome(data.tenant(), data.writeId(), position, seen.position(),
                        Verdict.REJECTED_ID_REUSED, fence,
                        "Idempotency-Key '" + data.writeId() + "' was used at " + seen.position()
                                + " for another document: not applied");
            }
            return new ApplyOutcome(data.tenant(), data.writeId(), position, seen.position(), Verdict.ACCEPTED, fence,
                    "duplicate of the write at " + seen.position() + " (same Idempotency-Key): not applied again");
        }
        ApplyOutcome outcome = applyData(fence, data, position, timestamp);
        if (outcome.accepted()) {
            if (remembersId) {
                writeIds.remember(data, position);
            }
        } else {
            deadLetterCode(data, position, outcome).ifPresent(code ->
                    deadLetter(topic, position, value, timestamp, code, outcome.reason()));
        }
        return outcome;
    }

    /**
     * Whether the duplicate check keeps a write's id: not when the router made the id up ({@link
     * WalHeaders#GENERATED_ID}: no retry can carry it again), and only in a region holding the tenant. That is enough
     * for every region to decide alike where it matters: a region joining an existing tenant's replicas gets the
     * remembered ids with its snapshot ({@link TenantSyncs}), so the regions holding a tenant know every id of it;
     * elsewhere a verdict materializes nothing and acknowledges nothing. Each cuts a changelog record per write and region.
     */
    private boolean remembersIdOf(boolean generatedId, Placement fence) {
        return !generatedId && fence != null && fence.isReplicatedTo(region);
    }

    /**
     * Why a rejected record leaves no other trace, if so. Fence races (paused, an older epoch) are answered to the
     * writer and recorded as conflicts; the rest cannot come from a router: another producer wrote them.
     */
    private Optional<DeadLetter.Code> deadLetterCode(WalRecord.DataRecord data, Position position,
                                                     ApplyOutcome outcome) {
        return switch (outcome.verdict()) {
            case REJECTED_UNKNOWN_TENANT -> Optional.of(WalPartitioner.partitionOf(data.tenant(), walPartitions)
                    == position.partition() ? DeadLetter.Code.UNKNOWN_TENANT : DeadLetter.Code.WRONG_PARTITION);
            case REJECTED_NOT_WRITABLE_HERE -> Optional.of(DeadLetter.Code.NOT_WRITABLE_HERE);
            case REJECTED_STALE_EPOCH -> data.epoch() > outcome.fence().epoch()
                    ? Optional.of(DeadLetter.Code.EPOCH_AHEAD) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private ApplyOutcome applyData(Placement fence, WalRecord.DataRecord data, Position position, long timestamp) {
        if (fence == null) {
            int home = WalPartitioner.partitionOf(data.tenant(), walPartitions);
            return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_UNKNOWN_TENANT, null,
                    home == position.partition() ? "tenant " + data.tenant() + " has no placement"
                            : "tenant " + data.tenant() + " belongs on WAL partition " + home + ", not "
                            + position.partition() + ": produce with Kafka's default (murmur2) partitioner, or"
                            + " write through meridian.ingest or the HTTP API");
        }
        if (fence.writes() == WriteState.PAUSED) {
            // Whatever the strategy: a write that raced a pause must not slip past a migration's drain point.
            return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_PAUSED, fence,
                    "writes of tenant " + data.tenant() + " are paused at epoch " + fence.epoch());
        }
        if (data.epoch() > fence.epoch()) {
            return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_STALE_EPOCH, fence,
                    "epoch " + data.epoch() + " is newer than the fence in force (" + fence.epoch() + ")");
        }
        if (data.epoch() == fence.epoch()) {
            if (!fence.acceptsWritesIn(data.region())) {
                return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_NOT_WRITABLE_HERE,
                        fence, "region " + data.region() + " does not accept writes for tenant " + data.tenant()
                                + " (primary " + fence.primary() + ")");
            }
            if (fence.isReplicatedTo(region) && (!data.ifMatch().isEmpty()
                    || (fence.mode() == ReplicationMode.MULTI_PRIMARY && !data.base().isEmpty()))) {
                return applyVersioned(fence, data, position, timestamp);
            }
            write(fence, data, position, data instanceof WalRecord.Put put ? put.value() : null);
            return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.ACCEPTED, fence, "applied");
        }
        return resolveConflict(fence, data, position, timestamp);
    }

    /**
     * A write that names a version: the client's precondition ({@code If-Match}) first, then, in a multi-primary
     * tenant, its base. A base that no longer matches is a write conflict when the current version came from another
     * region (or is a deletion, which leaves no trace of who made it); a same-region race is ordered by the log, as in
     * a single-primary tenant. Decided only in regions holding the tenant: elsewhere there is no document to compare
     * with, and a verdict there materializes and acknowledges nothing.
     */
    private ApplyOutcome applyVersioned(Placement fence, WalRecord.DataRecord data, Position position,
                                        long timestamp) {
        StoredDocument current = docs.get(data.tenant(), data.key());
        String version = current == null ? WalRecord.ABSENT : current.position();
        if (!data.ifMatch().isEmpty()) {
            if (!data.ifMatch().equals(version)) {
                return new ApplyOutcome(data.tenant(), data.writeId(), position, position,
                        Verdict.REJECTED_PRECONDITION, fence, "If-Match " + data.ifMatch() + " but the document of key '"
                        + data.key() + "' is at " + version + ": not applied", version, false);
            }
        } else if (!data.base().equals(version) && (current == null || !current.region().equals(data.region()))) {
            return resolveWriteConflict(fence, data, position, timestamp, current, version);
        }
        write(fence, data, position, data instanceof WalRecord.Put put ? put.value() : null);
        return new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.ACCEPTED, fence, "applied");
    }

    private ApplyOutcome resolveWriteConflict(Placement fence, WalRecord.DataRecord data, Position position,
                                              long timestamp, StoredDocument current, String version) {
        ConflictResolution.WriteResolution resolution = ConflictResolution.resolveWrite(fence.strategy(), data,
                current);
        if (resolution.applies()) {
            writeDocument(data, position, resolution.value(), resolution.hlc());
        }
        String superseded = resolution.incomingLost() ? position.toString() : version;
        ConflictRecord conflict = new ConflictRecord(data.tenant(), data.key(), position.toString(), data.epoch(),
                fence.epoch(), data.region(), region, fence.strategy(), resolution.resolution(), resolution.reason(),
                timestamp, ConflictRecord.WRITE_CONFLICT, data.base(), version, superseded);
        context.forward(new Record<String, Object>(data.tenant(), conflict, timestamp), ApplierStores.CONFLICTS_SINK);
        listener.onConflict(conflict);
        LOG.info("write conflict tenant={} key={} at {} from {}: base {} but current {} (from {}), strategy {} -> {},"
                        + " superseded {}", data.tenant(), data.key(), position, data.region(), data.base(), version,
                current == null ? "a deletion" : current.region(), fence.strategy().wireName(),
                resolution.resolution().wireName(), superseded);
        if (resolution.resolution() == ConflictRecord.Resolution.REJECTED) {
            return new ApplyOutcome(data.tenant(), data.writeId(), position, position,
                    Verdict.REJECTED_WRITE_CONFLICT, fence, resolution.reason(), version, false);
        }
        return new ApplyOutcome(data.tenant(), data.writeId(), position, position, Verdict.ACCEPTED, fence,
                resolution.reason(), version, resolution.incomingLost());
    }

    private ApplyOutcome resolveConflict(Placement fence, WalRecord.DataRecord data, Position position, long timestamp) {
        StoredDocument current = docs.get(data.tenant(), data.key());
        ConflictResolution resolution = ConflictResolution.resolve(fence.strategy(), data, current);
        if (resolution.applies()) {
            write(fence, data, position, resolution.value());
        }
        ConflictRecord conflict = new ConflictRecord(data.tenant(), data.key(), position.toString(), data.epoch(),
                fence.epoch(), data.region(), region, fence.strategy(), resolution.resolution(), resolution.reason(),
                timestamp);
        // Only regions holding the tenant report: they alone know the stored document (lww needs its timestamp), so
        // their reports agree; the verdict above is the same everywhere either way.
        if (fence.isReplicatedTo(region) && !syncs.suppressesWrites(data.tenant())) {
            context.forward(new Record<String, Object>(data.tenant(), conflict, timestamp), ApplierStores.CONFLICTS_SINK);
            listener.onConflict(conflict);
        }
        LOG.info("conflict tenant={} key={} at {}: record epoch {} < fence epoch {}, strategy {} -> {}", data.tenant(),
                data.key(), position, data.epoch(), fence.epoch(), fence.strategy().wireName(),
                resolution.resolution().wireName());
        Verdict verdict = resolution.resolution() == ConflictRecord.Resolution.REJECTED
                ? Verdict.REJECTED_STALE_EPOCH : Verdict.ACCEPTED;
        return new ApplyOutcome(data.tenant(), data.writeId(), position, verdict, fence, resolution.reason());
    }

    /** Materializes the write if this region holds a copy of the tenant; a null value deletes. */
    private void write(Placement fence, WalRecord.DataRecord data, Position position, RawJson value) {
        if (!fence.isReplicatedTo(region) || syncs.suppressesWrites(data.tenant())) {
            return;
        }
        writeDocument(data, position, value, data.hlc());
    }

    /** Materializes {@code value} (null deletes) as written by {@code data} at {@code position}, stamped {@code hlc}. */
    private void writeDocument(WalRecord.DataRecord data, Position position, RawJson value, long hlc) {
        if (value == null) {
            docs.delete(data.tenant(), data.key());
        } else {
            docs.put(data.tenant(), data.key(),
                    new StoredDocument(value, position.toString(), data.epoch(), hlc, data.region()));
        }
    }
}
