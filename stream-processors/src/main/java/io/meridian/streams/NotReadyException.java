package io.meridian.streams;

/** A store is not queryable at the moment (the app is starting or rebalancing): retry shortly. */
public final class NotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
