package io.meridian.streams.internal;

import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.SyncRecord;
import io.meridian.infra.serde.Json;
import io.meridian.streams.ApplierStores;
import io.meridian.streams.ApplyListener;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.SyncStatus;
import io.meridian.streams.TenantDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full sync and re-seed inside one applier task: a region that starts syncing a tenant (a fence lists it in
 * {@code syncing} and the tenant's previous fence did not) gets the tenant's copy as of that fence from a snapshot, and
 * then the tenant's WAL records after the fence, decided by the same rules as everywhere.
 *
 * <ul>
 *   <li><b>Source.</b> The primary named by that fence, when its applier applies the fence, writes its copy of the
 *   tenant to {@code meridian.sync} (chunks of documents, the remembered write ids, then an end with the digest),
 *   inside the same exactly-once transaction as the fence: the snapshot is exactly its state at the fence, and a
 *   crash rolls both back and takes the snapshot again. Nothing is held in memory: RocksDB iterates, the producer
 *   sends as it goes.</li>
 *   <li><b>Target.</b> WAL records of the tenant after the fence are held ({@code sync-pending}); snapshot parts that
 *   arrive before the fence (this region lags) are held too, and the region's old copy is dropped at the fence. When
 *   the end is in and the fence applied, the merged copy's digest must equal the source's; then the held records are
 *   decided in order with the fence that was in force when each arrived. The region then holds exactly what every
 *   other region holds, and reports {@code caught_up} (the router's sync reporter asks the controller to clear
 *   {@code syncing}).</li>
 * </ul>
 * Every decision depends on the log only (fences, WAL and sync records). Not thread-safe: one per task.
 */
final class TenantSyncs {
    private static final Logger LOG = LoggerFactory.getLogger(TenantSyncs.class);
    /** A chunk holds at most this many documents or bytes (documents as stored), whichever comes first. */
    static final int CHUNK_DOCS = 1_000;
    static final int CHUNK_BYTES = 512 * 1024;

    /** Decides a held WAL record now. */
    @FunctionalInterface
    interface Replayer {
        void replay(HeldRecord held, int partition);
    }

    private final String region;
    private final ProcessorContext<String, Object> context;
    private final TenantDocuments docs;
    private final KeyValueStore<String, SyncState> states;
    private final KeyValueStore<String, byte[]> pending;
    private final WriteIdsWindow writeIds;
    private final ApplyListener listener;
    private final Consumer<String> dropTenant;
    private final Replayer replayer;
    /** The task's sync states (few), mirrored so that the per-record check reads no store. */
    private final Map<String, SyncState> active = new HashMap<>();

    TenantSyncs(String region, ProcessorContext<String, Object> context, TenantDocuments docs,
                KeyValueStore<String, SyncState> states, KeyValueStore<String, byte[]> pending,
                WriteIdsWindow writeIds, ApplyListener listener, Consumer<String> dropTenant, Replayer replayer) {
        this.region = region;
        this.context = context;
        this.docs = docs;
        this.states = states;
        this.pending = pending;
        this.writeIds = writeIds;
        this.listener = listener;
        this.dropTenant = dropTenant;
        this.replayer = replayer;
        try (KeyValueIterator<String, SyncState> it = states.all()) {
            it.forEachRemaining(kv -> active.put(kv.key, kv.value));
        }
        // After a restart or a rebalance: tell the tracker where each sync of this task stands.
        active.values().forEach(s -> listener.onSync(s.status(region)));
    }

    /** Whether the tenant's WAL records after its sync fence are held here now. */
    boolean holdsRecords(String tenant) {
        SyncState s = active.get(tenant);
        return s != null && s.holdsRecords();
    }

    /** Whether this region must not materialize the tenant's records now (a snapshot will bring them). */
    boolean suppressesWrites(String tenant) {
        SyncState s = active.get(tenant);
        return s != null && s.suppressesWrites();
    }

    /** Holds a WAL record of a syncing tenant until its snapshot is merged. */
    void hold(String tenant, Position position, long timestamp, boolean generatedId, byte[] value, Placement fence) {
        pending.put(tenant + "/r/" + pad(position.offset()), Json.write(new HeldRecord(position.offset(), timestamp,
                generatedId, value, fence)));
        SyncState s = active.get(tenant);
        save(s.withBuffered(s.buffered() + 1), false);
    }

    /**
     * A fence was applied ({@code current} was in force before, may be null). Regions newly listed in {@code syncing}
     * start a sync at this fence: the primary sends them the snapshot, and this region, if it is one of them, drops
     * its old copy and holds the tenant's next records.
     */
    void onFence(Placement current, Placement next, Position position, long timestamp) {
        List<String> starting = next.syncing().stream()
                .filter(r -> current == null || !current.syncing().contains(r) || !current.isReplicatedTo(r))
                .toList();
        if (!starting.isEmpty() && region.equals(next.primary())) {
            sendSnapshot(next, starting, position, timestamp);
        }
        String tenant = next.tenant();
        SyncState s = active.get(tenant);
        if (starting.contains(region)) {
            start(next, position, s);
        } else if (s != null && s.fenceOffset() <= position.offset()
                && (!next.isReplicatedTo(region) || !next.syncing().contains(region))) {
            // Removed from the replicas (a cancel), or the controller cleared 'syncing': the sync is over.
            if (!s.complete() && next.isReplicatedTo(region)) {
                LOG.error("tenant={} region={} epoch={}: 'syncing' was cleared before the sync caught up (state {});"
                        + " reads here may miss documents until it does", tenant, region, next.epoch(), s.state());
                save(s.withFenceEpoch(next.epoch()), true);
                return;
            }
            end(tenant, s, next.epoch());
        } else if (s != null) {
            save(s.withFenceEpoch(next.epoch()), true);
        }
    }

    private void start(Placement next, Position position, SyncState s) {
        String tenant = next.tenant();
        if (s != null && s.fenceOffset() > position.offset()) {
            // A later sync's snapshot is already here: this one is superseded (a removal comes in between).
            LOG.info("tenant={} region={} sync at {} superseded by the snapshot of {}", tenant, region, position,
                    s.fenceOffset());
            return;
        }
        dropTenant.accept(tenant);
        writeIds.forget(tenant);
        if (s != null && s.fenceOffset() == position.offset()) {
            // Parts of this snapshot came before the fence: they become the copy now.
            moveHeldSnapshot(tenant);
            SyncState seen = s.withFenceSeen(next.epoch());
            save(seen, true);
            if (seen.endSeen()) {
                complete(seen);
            }
            return;
        }
        if (s != null) {
            clearPending(tenant);
        }
        save(SyncState.started(tenant, position, next.epoch(), next.primary(), true), true);
        LOG.info("tenant={} region={} sync started at fence {} epoch={} source={}", tenant, region, position,
                next.epoch(), next.primary());
    }

    /** A record from {@code meridian.sync}; {@code appliedOffset} is how far this task applied the WAL partition. */
    void onSyncRecord(SyncRecord rec, long appliedOffset) {
        if (!rec.targets().contains(region)) {
            return;
        }
        String tenant = rec.tenant();
        SyncState s = active.get(tenant);
        if (s == null || rec.fenceOffset() > s.fenceOffset()) {
            if (rec.fenceOffset() <= appliedOffset) {
                // Its fence was applied here and no sync of it is open: cancelled, or ended already.
                LOG.debug("tenant={} region={} ignoring snapshot of fence {}: not syncing it", tenant, region,
                        rec.fencePosition());
                return;
            }
            // The snapshot arrives before this region reached its fence: hold it until then.
            if (s != null) {
                clearPending(tenant);
            }
            s = SyncState.started(tenant, rec.fencePosition(), rec.epoch(), rec.source(), false);
        } else if (rec.fenceOffset() < s.fenceOffset() || s.complete() || s.failed()) {
            return;
        }
        long bytes = 0;
        for (SyncRecord.Doc doc : rec.docs()) {
            // Read as a StoredDocument, so a malformed one fails here, then kept in its stored form.
            byte[] stored = Json.MAPPER.convertValue(doc.stored(), StoredDocument.class).toStored();
            bytes += stored.length;
            if (s.fenceSeen()) {
                docs.putStored(tenant, doc.key(), stored);
            } else {
                pending.put(tenant + "/d/" + doc.key(), stored);
            }
        }
        for (SyncRecord.WriteId id : rec.ids()) {
            if (s.fenceSeen()) {
                writeIds.restore(tenant, id.id(), id.value(), id.offset());
            } else {
                pending.put(tenant + "/i/" + pad(id.offset()) + "/" + id.id(), Json.write(id));
            }
        }
        s = s.withCopied(rec.docs().size(), bytes, rec.totalDocs(), rec.totalBytes());
        if (rec.isEnd()) {
            s = s.withEnd(rec.digest());
        }
        save(s, true);
        if (s.endSeen() && s.fenceSeen()) {
            complete(s);
        }
    }

    /** The snapshot is in and the fence applied: prove it by digest, then decide the held records. */
    private void complete(SyncState s) {
        String tenant = s.tenant();
        TenantDigest digest = docs.digest(tenant);
        String ours = digest.value();
        if (!ours.equals(s.sourceDigest())) {
            LOG.error("tenant={} region={} sync at {} FAILED: digest {} ({} documents) differs from the source {}'s {}"
                            + " ({} documents){}; cancel the sync and add the region again", tenant, region,
                    s.fenceOffset(), ours, digest.documents(), s.source(), s.sourceDigest(), s.totalDocs(),
                    String.valueOf(s.sourceDigest()).startsWith(TenantDigest.PREFIX) ? ""
                            : " (the source runs a version that digests otherwise: add the region after the upgrade)");
            clearPending(tenant);
            save(s.withOutcome(ours, false).withBuffered(0), true);
            return;
        }
        SyncState done = s.withOutcome(ours, true);
        save(done, false);
        List<String> heldKeys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.prefixScan(tenant + "/r/", new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                heldKeys.add(kv.key);
            }
        }
        // Decided one by one, read again by key: the iterator must not be open while the decisions write.
        for (String key : heldKeys) {
            HeldRecord held = Json.read(pending.get(key), HeldRecord.class);
            pending.delete(key);
            replayer.replay(held, s.partition());
        }
        save(done.withBuffered(0), true);
        LOG.info("tenant={} region={} caught up: snapshot of fence {} from {} ({} documents, {} bytes, digest {}),"
                        + " then {} held WAL records", tenant, region, new Position(s.partition(), s.fenceOffset()),
                s.source(), s.docs(), s.bytes(), ours, heldKeys.size());
    }

    private void moveHeldSnapshot(String tenant) {
        List<KeyValue<String, byte[]>> held = new ArrayList<>();
        for (String prefix : List.of(tenant + "/d/", tenant + "/i/")) {
            try (KeyValueIterator<String, byte[]> it = pending.prefixScan(prefix, new StringSerializer())) {
                it.forEachRemaining(held::add);
            }
        }
        String docPrefix = tenant + "/d/";
        for (KeyValue<String, byte[]> kv : held) {
            if (kv.key.startsWith(docPrefix)) {
                docs.putStored(tenant, kv.key.substring(docPrefix.length()), kv.value);
            } else {
                SyncRecord.WriteId id = Json.read(kv.value, SyncRecord.WriteId.class);
                writeIds.restore(tenant, id.id(), id.value(), id.offset());
            }
            pending.delete(kv.key);
        }
    }

    private void clearPending(String tenant) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.prefixScan(tenant + "/", new StringSerializer())) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(pending::delete);
    }

    private void end(String tenant, SyncState s, long epoch) {
        clearPending(tenant);
        states.delete(tenant);
        active.remove(tenant);
        SyncStatus last = s.withFenceEpoch(epoch).status(region);
        listener.onSync(new SyncStatus(last.tenant(), region, SyncStatus.ENDED, last.source(), last.fencePosition(),
                last.addedEpoch(), epoch, last.documentsCopied(), last.bytesCopied(), last.documentsTotal(),
                last.bytesTotal(), 0, last.sourceDigest(), last.digest()));
        LOG.info("tenant={} region={} sync of fence {} ended at epoch {} ({})", tenant, region, s.fenceOffset(), epoch,
                s.state());
    }

    private void save(SyncState s, boolean tell) {
        states.put(s.tenant(), s);
        active.put(s.tenant(), s);
        if (tell) {
            listener.onSync(s.status(region));
        }
    }

    /**
     * The primary's side: its copy of the tenant as of this fence, onto {@code meridian.sync}, in this task's
     * transaction. Totals and digest first (the kept digest, or a pass over RocksDB), so targets can show progress;
     * nothing held.
     */
    private void sendSnapshot(Placement next, List<String> targets, Position position, long timestamp) {
        String tenant = next.tenant();
        TenantDigest digest = docs.digest(tenant);
        long totalDocs = digest.documents();
        long totalBytes = digest.bytes();
        String theDigest = digest.value();
        long seq = 0;
        List<SyncRecord.Doc> chunk = new ArrayList<>();
        long chunkBytes = 0;
        int prefix = tenant.length() + 1;
        try (KeyValueIterator<String, byte[]> it = docs.scan(tenant)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                chunk.add(new SyncRecord.Doc(kv.key.substring(prefix), Json.readTree(kv.value)));
                chunkBytes += kv.value.length;
                if (chunk.size() >= CHUNK_DOCS || chunkBytes >= CHUNK_BYTES) {
                    send(new SyncRecord(SyncRecord.DOCS, tenant, position.partition(), position.offset(), next.epoch(),
                            region, targets, seq++, chunk, List.of(), totalDocs, totalBytes, null), timestamp);
                    chunk = new ArrayList<>();
                    chunkBytes = 0;
                }
            }
        }
        List<SyncRecord.WriteId> ids = new ArrayList<>();
        long[] sent = {seq};
        writeIds.forEachOf(tenant, position.offset(), (id, value, offset) -> {
            ids.add(new SyncRecord.WriteId(id, value, offset));
            if (ids.size() >= CHUNK_DOCS) {
                send(new SyncRecord(SyncRecord.IDS, tenant, position.partition(), position.offset(), next.epoch(),
                        region, targets, sent[0]++, List.of(), List.copyOf(ids), totalDocs, totalBytes, null),
                        timestamp);
                ids.clear();
            }
        });
        seq = sent[0];
        // The end carries the last documents and ids too, so a small tenant's snapshot is one record.
        send(new SyncRecord(SyncRecord.END, tenant, position.partition(), position.offset(), next.epoch(), region,
                targets, seq, chunk, ids, totalDocs, totalBytes, theDigest), timestamp);
        LOG.info("tenant={} snapshot at fence {} epoch={} to {}: {} documents, {} bytes, {} records, digest {}", tenant,
                position, next.epoch(), targets, totalDocs, totalBytes, seq + 1, theDigest);
    }

    private void send(SyncRecord rec, long timestamp) {
        context.forward(new Record<String, Object>(rec.tenant(), rec, timestamp), ApplierStores.SYNC_SINK);
    }

    private static String pad(long offset) {
        return String.format("%019d", offset);
    }
}
