package io.meridian.router.internal;

/** The HTTP headers of the Meridian API. */
public final class Headers {
    /** Answer: the WAL position of the write (write answers) or of the write that produced the document (reads). */
    public static final String POSITION = "X-Meridian-Position";
    /** Answer to a read: the placement epoch the document was written under. */
    public static final String EPOCH = "X-Meridian-Epoch";
    /** Answer to a read: the region that served it. */
    public static final String REGION = "X-Meridian-Region";
    /** Request: read in this region (must be a replica of the tenant). */
    public static final String PREFERRED_REGION = "X-Meridian-Preferred-Region";
    /** Request: read only once this region has applied this position. */
    public static final String MIN_POSITION = "X-Meridian-Min-Position";
    /**
     * Request, writes: how many regions must have applied the write before it is answered ({@code local},
     * {@code majority}, {@code all}, {@code regions=N}); the tenant's {@code write_concern} when absent.
     */
    public static final String WRITE_CONCERN = "X-Meridian-Write-Concern";
    /**
     * Request, reads: ask several replica regions and answer with the freshest copy ({@code freshest},
     * {@code majority}, {@code regions=N}).
     */
    public static final String READ_CONCERN = "X-Meridian-Read-Concern";
    /** Answer to a read with a read concern: the region whose copy was the freshest and was returned. */
    public static final String SERVED_BY = "X-Meridian-Served-By";
    /** Answer to a read with a read concern: the regions skipped (comma-separated), because they did not answer. */
    public static final String SKIPPED_REGIONS = "X-Meridian-Skipped-Regions";
    /**
     * Answer to a read served by a region whose replication is paused:
     * {@code since=<ISO-8601 instant>; lag_entries=<n>; lag_seconds=<s>} (lag figures as the lag monitor last computed
     * them, {@code unknown} before it has): how stale the document may be.
     */
    public static final String REPLICATION_PAUSED = "X-Meridian-Replication-Paused";
    /**
     * Request: what to do when the region that would serve the read has its replication paused. {@code serve} (the
     * default): answer from the paused copy, with {@link #REPLICATION_PAUSED}; {@code redirect}: 307 to the tenant's
     * primary, which has applied every acknowledged write.
     */
    public static final String IF_PAUSED = "X-Meridian-If-Paused";
    /** Request: the client's id of a write; retries with the same key are the same write. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /**
     * Request to a write: apply it only if the document is at this version (the {@code X-Meridian-Position} of a read
     * or of the write that made it, or {@code absent}: only if there is no document); else {@code 412}.
     */
    public static final String IF_MATCH = "If-Match";
    public static final String AUTHORIZATION = "Authorization";
    /**
     * Request, node to node: set on an admin request a node forwarded to the controller, or on a data request a node
     * forwarded to the node of its region that owns the tenant's WAL partition, naming the forwarding node
     * ({@code <region>/<node id>}). A node that is not the controller (or not the owner) refuses such a request
     * instead of forwarding it again, so requests never loop while nodes disagree.
     */
    public static final String FORWARDED_BY = "X-Meridian-Forwarded-By";

    /** Answer to a document request or applied-position poll: the node ({@code node.id}) that served it. */
    public static final String NODE = "X-Meridian-Node";

    private Headers() {
    }
}
