package io.meridian.streams.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.meridian.infra.model.Position;
import io.meridian.streams.SyncStatus;

/**
 * This region's sync of one tenant, as the applier keeps it in {@code tenant-syncs} (so it survives a crash with the
 * rest of the applier's state, exactly once). Immutable; the applier replaces it.
 *
 * @param fenceSeen  this region's applier has applied the snapshot's fence (before that, snapshot parts are held)
 * @param endSeen    the snapshot's end arrived
 * @param complete   snapshot merged, digest equal, held WAL records replayed: caught up
 * @param failed     the merged snapshot's digest differs from the source's
 */
public record SyncState(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("partition") int partition,
        @JsonProperty("fenceOffset") long fenceOffset,
        @JsonProperty("addedEpoch") long addedEpoch,
        @JsonProperty("fenceEpoch") long fenceEpoch,
        @JsonProperty("source") String source,
        @JsonProperty("fenceSeen") boolean fenceSeen,
        @JsonProperty("endSeen") boolean endSeen,
        @JsonProperty("complete") boolean complete,
        @JsonProperty("failed") boolean failed,
        @JsonProperty("docs") long docs,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("totalDocs") long totalDocs,
        @JsonProperty("totalBytes") long totalBytes,
        @JsonProperty("buffered") long buffered,
        @JsonProperty("sourceDigest") @JsonSetter(nulls = Nulls.AS_EMPTY) String sourceDigest,
        @JsonProperty("digest") @JsonSetter(nulls = Nulls.AS_EMPTY) String digest) {

    public SyncState {
        sourceDigest = sourceDigest == null || sourceDigest.isEmpty() ? null : sourceDigest;
        digest = digest == null || digest.isEmpty() ? null : digest;
    }

    static SyncState started(String tenant, Position fence, long epoch, String source, boolean fenceSeen) {
        return new SyncState(tenant, fence.partition(), fence.offset(), epoch, epoch, source, fenceSeen, false, false,
                false, 0, 0, -1, -1, 0, null, null);
    }

    SyncState withFenceSeen(long epoch) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, epoch, source, true, endSeen, complete, failed,
                docs, bytes, totalDocs, totalBytes, buffered, sourceDigest, digest);
    }

    SyncState withFenceEpoch(long epoch) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, epoch, source, fenceSeen, endSeen, complete,
                failed, docs, bytes, totalDocs, totalBytes, buffered, sourceDigest, digest);
    }

    SyncState withCopied(long moreDocs, long moreBytes, long allDocs, long allBytes) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, fenceEpoch, source, fenceSeen, endSeen,
                complete, failed, docs + moreDocs, bytes + moreBytes, allDocs, allBytes, buffered, sourceDigest, digest);
    }

    SyncState withEnd(String theSourceDigest) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, fenceEpoch, source, fenceSeen, true, complete,
                failed, docs, bytes, totalDocs, totalBytes, buffered, theSourceDigest, digest);
    }

    SyncState withBuffered(long count) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, fenceEpoch, source, fenceSeen, endSeen,
                complete, failed, docs, bytes, totalDocs, totalBytes, count, sourceDigest, digest);
    }

    SyncState withOutcome(String ourDigest, boolean ok) {
        return new SyncState(tenant, partition, fenceOffset, addedEpoch, fenceEpoch, source, fenceSeen, endSeen, ok,
                !ok, docs, bytes, totalDocs, totalBytes, buffered, sourceDigest, ourDigest);
    }

    /** Whether WAL records of the tenant are held (after the fence, until the snapshot is merged). */
    boolean holdsRecords() {
        return fenceSeen && !complete && !failed;
    }

    /** Whether this region must not materialize the tenant's records now (the snapshot will bring them). */
    boolean suppressesWrites() {
        return !complete && (!fenceSeen || failed);
    }

    String state() {
        if (complete) {
            return SyncStatus.CAUGHT_UP;
        }
        if (failed) {
            return SyncStatus.FAILED;
        }
        return fenceSeen ? SyncStatus.COPYING : SyncStatus.WAITING_FOR_FENCE;
    }

    SyncStatus status(String region) {
        return new SyncStatus(tenant, region, state(), source, new Position(partition, fenceOffset).toString(),
                addedEpoch, fenceEpoch, docs, bytes, totalDocs, totalBytes, buffered, sourceDigest, digest);
    }
}
