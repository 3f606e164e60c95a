package io.meridian.router.internal;

import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /health/live} (the process answers), {@code GET /health/ready} (the region's state is queryable: send
 * traffic) and {@code GET /metrics} (Prometheus text format). Never redirected. Thread-safe.
 */
public final class HealthApi {
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    public static final String METRICS_PATH = "/metrics";
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final RegionView view;
    private final PrometheusMeterRegistry registry;
    private final String region;

    public HealthApi(RegionView view, PrometheusMeterRegistry registry, String region) {
        this.view = view;
        this.registry = registry;
        this.region = region;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, LIVE_PATH, ctx -> done(Reply.json(200, Map.of("status", "up"))));
        endpoints.add(HandlerType.GET, READY_PATH, ctx -> done(ready()));
        endpoints.add(HandlerType.GET, METRICS_PATH, ctx -> done(new Reply(200, Map.of(), PROMETHEUS_CONTENT_TYPE,
                registry.scrape().getBytes(StandardCharsets.UTF_8))));
    }

    /** A node restoring its region state takes seconds to minutes: probes need not come back at once. */
    static final String NOT_READY_RETRY_AFTER = "5";

    Reply ready() {
        if (view.isReady()) {
            return Reply.json(200, Map.of("status", "ready", "region", region));
        }
        return Reply.json(503, Map.of("status", "starting", "region", region,
                "message", "the region state is still being restored: wait until this answers 200"))
                .withHeader(ErrorResponses.RETRY_AFTER, NOT_READY_RETRY_AFTER);
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
