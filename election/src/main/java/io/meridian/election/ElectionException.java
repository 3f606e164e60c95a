package io.meridian.election;

/**
 * The root of the controller election's errors. Carries the controller epoch it concerns ({@code -1} when none).
 */
public class ElectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long epoch;

    public ElectionException(String message, long epoch, Throwable cause) {
        super(message, cause);
        this.epoch = epoch;
    }

    /** The controller epoch this error concerns, {@code -1} when none. */
    public long epoch() {
        return epoch;
    }
}
