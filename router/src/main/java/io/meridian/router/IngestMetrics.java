package io.meridian.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The meters of this node's {@code meridian.ingest} consumer, declared once. Tag values are bounded: the outcomes
 * below and the HTTP API's error codes. Thread-safe.
 */
public final class IngestMetrics {
    /**
     * Timer: ingest requests from being read to their outcome being published, tagged by {@link #TAG_OUTCOME}
     * ({@link Outcome}).
     */
    public static final String REQUESTS = "meridian.ingest.requests";
    /** Counter: writes of ingest requests tried again after an answer that may pass, tagged by {@link #TAG_CODE}. */
    public static final String RETRIES = "meridian.ingest.retries";
    /** Gauge: ingest requests this node works on (read, outcome not yet published). */
    public static final String IN_FLIGHT = "meridian.ingest.in.flight";

    public static final String TAG_OUTCOME = "outcome";
    /** The HTTP API's error code of the answer that was retried, e.g. {@code writes_paused}. */
    public static final String TAG_CODE = "code";

    /** All meter names, for the documentation test. */
    public static final List<String> NAMES = List.of(REQUESTS, RETRIES, IN_FLIGHT);

    /** How an ingest request ended. */
    public enum Outcome {
        /** Written (or found written before, under the same request id). */
        ACCEPTED,
        /** A valid request the write path refused: the outcome carries the HTTP API's error code. */
        REJECTED,
        /** Not a valid write request: a rejected outcome and a dead letter on {@code meridian.dlq}. */
        MALFORMED;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<Outcome, Timer> requests = new EnumMap<>(Outcome.class);
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    IngestMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            requests.put(outcome, Timer.builder(REQUESTS)
                    .description("Ingest requests from being read off meridian.ingest to their outcome published")
                    .tag(TAG_OUTCOME, outcome.tagValue())
                    .register(registry));
        }
        Gauge.builder(IN_FLIGHT, inFlight).description("Ingest requests this node works on").register(registry);
    }

    void request(Outcome outcome, Duration took) {
        requests.get(outcome).record(took);
    }

    void retry(String code) {
        retries.computeIfAbsent(code, c -> Counter.builder(RETRIES)
                .description("Writes of ingest requests tried again after an answer that may pass by itself")
                .tag(TAG_CODE, c)
                .register(registry)).increment();
    }
}
