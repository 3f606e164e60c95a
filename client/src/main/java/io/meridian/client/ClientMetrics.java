package io.meridian.client;

/**
 * Where a {@link MeridianClient} reports what it did; {@link #NONE} by default, {@link MicrometerClientMetrics} with
 * Micrometer on the classpath. Implementations must be thread-safe and quick (called on the caller's thread).
 */
public interface ClientMetrics {
    /** Reports nothing. */
    ClientMetrics NONE = new ClientMetrics() {
        @Override
        public void operation(String op, String outcome, long nanos) {
        }

        @Override
        public void retry(String op, String reason) {
        }
    };

    /**
     * One call of the client ended.
     *
     * @param op      {@code put} | {@code get} | {@code delete}
     * @param outcome {@code ok} | {@code not_found} (a read of a missing document) | {@code rejected} (4xx, conflicts
     *                included) | {@code unavailable} (the retry budget ran out) | {@code failed} (500, or an answer
     *                that is not Meridian's)
     * @param nanos   from the call to its end, retries included
     */
    void operation(String op, String outcome, long nanos);

    /**
     * The client sends the request again.
     *
     * @param reason {@code redirect} (307) | {@code placement_changed} (409, to the new primary) | {@code retry_after}
     *               (503, or another answer with Retry-After) | {@code unreachable} (no answer: connection refused,
     *               reset, timed out)
     */
    void retry(String op, String reason);
}
