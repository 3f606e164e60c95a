package io.meridian.election;

/**
 * Fatal: a newer controller took the controller's transactional id over inside Kafka, so this controller's term is
 * over. Nothing of the failed transaction is visible to {@code read_committed} readers. Step down; do not retry.
 */
public final class ControllerFencedException extends ElectionException {
    private static final long serialVersionUID = 1L;

    public ControllerFencedException(String message, long epoch, Throwable cause) {
        super(message, epoch, cause);
    }
}
