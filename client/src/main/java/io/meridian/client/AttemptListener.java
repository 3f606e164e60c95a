package io.meridian.client;

/**
 * Told of every HTTP request the client sends, once its answer came (or did not): for tests and fault harnesses that
 * record each request, and for logs. Set for every call with {@link MeridianClient.Builder#attemptListener}, or for one
 * call with {@link WriteOptions#withAttemptListener} / {@link ReadOptions#withAttemptListener} (both are told).
 * Called on the thread that got the answer, before the client decides what to do next; must be quick and thread-safe.
 * What it throws is logged and ignored.
 */
@FunctionalInterface
public interface AttemptListener {
    AttemptListener NONE = attempt -> { };

    void attempted(Attempt attempt);

    /** This one, then {@code next}. */
    default AttemptListener andThen(AttemptListener next) {
        if (this == NONE) {
            return next;
        }
        if (next == NONE) {
            return this;
        }
        return attempt -> {
            attempted(attempt);
            next.attempted(attempt);
        };
    }
}
