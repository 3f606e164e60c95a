package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

        Set<String> registered = new HashSet<>();
        for (Meter meter : registry.getMeters()) {
            registered.add(meter.getId().getName());
            assertTrue(RouterMetrics.NAMES.contains(meter.getId().getName()), meter.getId().getName());
            meter.getId().getTags().forEach(tag -> assertFalse(tag.getKey().equals("tenant"), meter.getId().toString()));
        }
        assertEquals(Set.copyOf(RouterMetrics.NAMES), registered);
        assertNotNull(registry.find(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "preferred_region")
                .counter(), "all reasons registered up front");
        assertEquals("kafka_unavailable", RouterMetrics.WriteOutcome.KAFKA_UNAVAILABLE.tagValue());
    }
}
