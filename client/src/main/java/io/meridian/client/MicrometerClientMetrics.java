package io.meridian.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@link ClientMetrics} on Micrometer (an optional dependency of the client: only this class needs it). Meters, all
 * tags bounded (a tenant is never a tag):
 * <ul>
 *   <li>{@value #OPERATIONS} (timer): every call, retries included; tags {@code op}, {@code outcome}</li>
 *   <li>{@value #RETRIES} (counter): every attempt after the first; tags {@code op}, {@code reason}</li>
 * </ul>
 * Thread-safe.
 */
public final class MicrometerClientMetrics implements ClientMetrics {
    public static final String OPERATIONS = "meridian.client.operations";
    public static final String RETRIES = "meridian.client.retries";
    public static final String TAG_OP = "op";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_REASON = "reason";

    private final MeterRegistry registry;

    public MicrometerClientMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void operation(String op, String outcome, long nanos) {
        Timer.builder(OPERATIONS).description("Calls of the Meridian client, from the call to its answer, retries"
                        + " included")
                .tag(TAG_OP, op).tag(TAG_OUTCOME, outcome)
                .publishPercentileHistogram()
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void retry(String op, String reason) {
        Counter.builder(RETRIES).description("Requests the Meridian client sent again (redirects, 503 with"
                        + " Retry-After, placement changes, unreachable nodes)")
                .tag(TAG_OP, op).tag(TAG_REASON, reason)
                .register(registry).increment();
    }
}
