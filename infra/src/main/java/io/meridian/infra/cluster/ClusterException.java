package io.meridian.infra.cluster;

/** Unchecked failure to start, stop or manage the embedded cluster; the message says which node and why. */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
