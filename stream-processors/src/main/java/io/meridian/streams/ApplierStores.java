package io.meridian.streams;

/**
 * The names of the region applier's state stores and sinks, and their key formats: shared by the topology, its
 * processor and the queries, so none of them depends on another for a name.
 */
public final class ApplierStores {
    /** tenant + "/" + key → {@link StoredDocument}. Neither tenant ids nor keys contain '/'. */
    public static final String DOCS = "tenant-docs";
    /**
     * tenant → its {@link TenantDigest} as {@link TenantDigest#toBytes}, kept as its documents change; in memory, not
     * logged: a tenant without an entry is digested by a scan (see {@code internal.TenantDocuments}).
     */
    public static final String DIGESTS = "tenant-digests";
    /** tenant → the {@link io.meridian.infra.model.Placement} of the latest fence. */
    public static final String FENCES = "tenant-fences";
    /**
     * WAL partition → last offset processed, where versions before 2026-12-05 kept it: read, no longer written (the
     * position rides in the commit's offset metadata, see {@code internal.AppliedPosition}).
     */
    public static final String POSITIONS = "applied-positions";
    /** WAL partition → the newest controller epoch of a fence applied there. */
    public static final String CONTROLLER_EPOCHS = "controller-epochs";
    /**
     * Bucket number → the write ids a task accepted into that bucket (tenant + "/" + writeId, the WAL offset, where the
     * write landed and a digest of it), with an index by id under the cache (see {@code internal.WriteIdsWindow}). It
     * replaced {@code write-ids-by-offset}, a window store with one changelog record per id.
     */
    public static final String WRITE_IDS = "write-id-buckets";
    /**
     * The write-id store of the versions before the buckets: a window store whose "times" are WAL offsets, tenant +
     * "/" + writeId → "position|digest", one changelog record per id. Read, never written, so that a retry of a write
     * accepted before an upgrade is still recognized for the rest of its window (see {@code internal.WriteIdsWindow});
     * a later version drops it once every region ran this one for a window.
     */
    public static final String LEGACY_WRITE_IDS = "write-ids-by-offset";

    /** tenant → the state of this region's sync of the tenant from a snapshot (full sync, re-seed). */
    public static final String SYNCS = "tenant-syncs";
    /**
     * tenant + "/d/" + key → snapshot documents that arrived before this region reached the snapshot's fence, and
     * tenant + "/r/" + offset → WAL records of a syncing tenant after the fence, held until the snapshot is in.
     */
    public static final String SYNC_PENDING = "sync-pending";

    public static final String CONFLICTS_SINK = "conflicts-sink";
    public static final String SYNC_SINK = "sync-sink";
    public static final String DLQ_SINK = "dlq-sink";

    private ApplierStores() {
    }

    public static String docKey(String tenant, String key) {
        return tenant + "/" + key;
    }
}
