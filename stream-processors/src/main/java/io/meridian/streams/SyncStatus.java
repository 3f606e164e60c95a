package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where this region's sync of a tenant stands, as its applier last reported it. Immutable.
 *
 * <pre>
 *   waiting_for_fence ─▶ copying ─▶ caught_up
 *   (snapshot arriving      │  (snapshot merged, digest equal, WAL records after the fence replayed)
 *    before the fence)      └─▶ failed (digest differs: cancel and add the region again)
 * </pre>
 *
 * @param fencePosition the WAL position of the fence the snapshot was taken at
 * @param addedEpoch    the epoch of that fence's placement
 * @param fenceEpoch    the epoch of the tenant's latest fence this region's applier applied
 * @param buffered      WAL records after the fence held until the snapshot is in
 * @param sourceDigest  the source's digest at the fence (from the snapshot's end)
 * @param digest        this region's digest at the fence, once the snapshot is merged
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncStatus(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("region") String region,
        @JsonProperty("state") String state,
        @JsonProperty("source") String source,
        @JsonProperty("fence_position") String fencePosition,
        @JsonProperty("added_epoch") long addedEpoch,
        @JsonProperty("fence_epoch") long fenceEpoch,
        @JsonProperty("documents_copied") long documentsCopied,
        @JsonProperty("bytes_copied") long bytesCopied,
        @JsonProperty("documents_total") long documentsTotal,
        @JsonProperty("bytes_total") long bytesTotal,
        @JsonProperty("buffered_records") long buffered,
        @JsonProperty("source_digest") String sourceDigest,
        @JsonProperty("digest") String digest) {

    public static final String WAITING_FOR_FENCE = "waiting_for_fence";
    public static final String COPYING = "copying";
    public static final String CAUGHT_UP = "caught_up";
    public static final String FAILED = "failed";
    /** Not a state of the applier: reported when the sync ended (the region was removed, or it caught up). */
    public static final String ENDED = "ended";

    public boolean caughtUp() {
        return CAUGHT_UP.equals(state);
    }

    public boolean inProgress() {
        return WAITING_FOR_FENCE.equals(state) || COPYING.equals(state);
    }
}
