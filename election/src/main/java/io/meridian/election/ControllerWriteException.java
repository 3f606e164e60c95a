package io.meridian.election;

/**
 * Retriable: Kafka did not commit a controller transaction (timeout, broker unavailable, a record the caller could not
 * build). The transaction was aborted, so nothing of it is visible to {@code read_committed} readers; the controller
 * may retry it while it still leads.
 */
public final class ControllerWriteException extends ElectionException {
    private static final long serialVersionUID = 1L;

    public ControllerWriteException(String message, long epoch, Throwable cause) {
        super(message, epoch, cause);
    }
}
