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
    /** Request: the client's id of a write; retries with the same key are the same write. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
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
