package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

    @Test
    void shouldNameEveryMeterLowerCaseDottedUnderMeridian() {
        for (String name : RouterMetrics.NAMES) {
            assertTrue(name.matches("meridian(\\.[a-z]+)+"), name);
        }
        assertEquals(RouterMetrics.NAMES.size(), new HashSet<>(RouterMetrics.NAMES).size());
    }

    @Test
    void shouldRegisterTheDeclaredMetersWithBoundedTagsAndNoTenant() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouterMetrics metrics = new RouterMetrics(registry);
        metrics.httpRequest("/v1/tenants/{tenant}/docs/{key}", "PUT", 201, Duration.ofMillis(3));
        metrics.write("put", RouterMetrics.WriteOutcome.ACCEPTED, Duration.ofMillis(3));
        metrics.redirect(RouterMetrics.RedirectReason.NOT_PRIMARY);
        metrics.cacheHits(1);
        metrics.cacheEviction("expired");
        io.micrometer.core.instrument.Gauge.builder(RouterMetrics.PLACEMENT_CACHE_SIZE, () -> 0).register(registry);
        metrics.writeConcernWait("all", false, Duration.ofMillis(3));
        metrics.readConcern("freshest", true, 1, Duration.ofMillis(3));
        metrics.apiKeys("admin", () -> 0);
        metrics.applierDelay(() -> Duration.ofMillis(1500));

        Set<String> registered = new HashSet<>();
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().getName().endsWith(".histogram")) {
                continue;  // the simple registry's view of a timer's buckets
            }
            registered.add(meter.getId().getName());
            assertTrue(RouterMetrics.NAMES.contains(meter.getId().getName()), meter.getId().getName());
            meter.getId().getTags().forEach(tag -> assertFalse(tag.getKey().equals("tenant"), meter.getId().toString()));
        }
        assertEquals(Set.copyOf(RouterMetrics.NAMES), registered);
        assertNotNull(registry.find(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "preferred_region")
                .counter(), "all reasons registered up front");
        assertEquals("kafka_unavailable", RouterMetrics.WriteOutcome.KAFKA_UNAVAILABLE.tagValue());
        assertEquals(1.5, registry.get(RouterMetrics.APPLIER_DELAY).gauge().value(), "in seconds");
    }

    @Test
    void shouldPublishBoundedLatencyBucketsForWritesAndRequests() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RouterMetrics metrics = new RouterMetrics(registry);
        metrics.write("put", RouterMetrics.WriteOutcome.ACCEPTED, Duration.ofMillis(3));
        metrics.httpRequest("/v1/tenants/{tenant}/docs/{key}", "GET", 200, Duration.ofMillis(40));
        metrics.httpRequest("/admin/tenants", "GET", 200, Duration.ofMillis(4));

        String scrape = registry.scrape();
        long writeBuckets = scrape.lines().filter(l -> l.startsWith("meridian_router_writes_seconds_bucket{")).count();
        assertEquals(RouterMetrics.LATENCY_BUCKETS.size() + 1, writeBuckets, "one bucket per bound and +Inf");
        assertTrue(scrape.contains("meridian_router_writes_seconds_bucket{op=\"put\",outcome=\"accepted\","
                + "le=\"0.005\"} 1"), scrape);
        long readBuckets = scrape.lines().filter(l -> l.startsWith("meridian_http_requests_seconds_bucket{")
                && l.contains("route=\"/v1/tenants/{tenant}/docs/{key}\"")).count();
        assertEquals(RouterMetrics.LATENCY_BUCKETS.size() + 1, readBuckets);
        assertTrue(scrape.contains("meridian_http_requests_seconds_bucket{method=\"GET\","
                + "route=\"/v1/tenants/{tenant}/docs/{key}\",status=\"200\",le=\"0.05\"} 1"), scrape);
        assertEquals(RouterMetrics.LATENCY_BUCKETS.size() + 1, scrape.lines().filter(l -> l.startsWith(
                "meridian_http_requests_seconds_bucket{") && l.contains("route=\"/admin/tenants\"")).count());
        registry.close();
    }
}
