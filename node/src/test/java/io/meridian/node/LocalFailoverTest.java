package io.meridian.node;

import static io.meridian.node.LocalHttp.send;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A region crash in {@code meridian local}: its node is killed (-9) under a write load. The controller must fail the
 * region's tenants over to a healthy replica, every acknowledged write must be readable in every surviving replica,
 * and the inhibit window must keep a second automatic failover of the same region from happening.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LocalFailoverTest {
    private static final String TOKEN = "failover-token";

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of(
                "health.heartbeat.interval.ms", "500",
                "zookeeper.session.timeout.ms", "4000",
                "failover.leader.timeout.ms", "3000",
                "failover.inhibit.window.ms", "600000"));

    @Test
    void shouldFailARegionsTenantsOverWithoutLosingAnAcknowledgedWriteAndThenInhibit() throws Exception {
        local.place("fo", "us-east", "reject");
        Map<String, String> acked = new ConcurrentHashMap<>();  // key -> position
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                String key = "k" + sequence.incrementAndGet();
                try {
                    var response = send("PUT", local.url("us-east") + "/v1/tenants/fo/docs/" + key, "{\"k\":\"" + key + "\"}");
                    if (response.statusCode() == 201) {
                        acked.put(key, response.headers().firstValue("X-Meridian-Position").orElseThrow());
                    }
                } catch (Exception e) {
                    // the region is down: the write was never acknowledged
                }
            }
        });
        writer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 20);

        long killedAt = System.nanoTime();
        local.deployment().killNode("us-east");
        writing.set(false);
        writer.join(30_000);

        // The controller promotes a healthy replica; a write there is then accepted.
        String[] newPrimary = new String[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode placement = local.placement("fo", "eu-west");
            newPrimary[0] = placement.get("primary").asText();
            return !newPrimary[0].equals("us-east");
        });
        var accepted = send("PUT", local.url(newPrimary[0]) + "/v1/tenants/fo/docs/after-failover", "{\"ok\":true}");
        assertEquals(201, accepted.statusCode(), accepted.body());
        System.out.printf("failover: region kill to first accepted write in %s: %d ms (%d writes acknowledged before)%n",
                newPrimary[0], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), acked.size());

        // No acknowledged write lost: every one is readable in every surviving replica region.
        for (String region : List.of("eu-west", "ap-south")) {
            for (var entry : acked.entrySet()) {
                var read = send("GET", local.url(region) + "/v1/tenants/fo/docs/" + entry.getKey(), null,
                        "X-Meridian-Min-Position", entry.getValue());
                assertEquals(200, read.statusCode(), region + " lost acknowledged write " + entry.getKey());
                assertEquals(entry.getKey(), Json.readTree(read.body().getBytes()).get("k").asText());
            }
        }

        // us-east comes back; a new tenant is placed there; a second crash inside the inhibit window moves nothing.
        local.deployment().startNode("us-east");
        local.deployment().awaitReady(Duration.ofMinutes(3));
        local.place("fo2", "us-east", "reject");
        local.deployment().killNode("us-east");
        long observeUntil = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        while (System.nanoTime() < observeUntil) {
            assertEquals("us-east", local.placement("fo2", "eu-west").get("primary").asText(),
                    "a second automatic failover of us-east happened inside its inhibit window");
            Thread.sleep(1000);
        }
        assertNotEquals("us-east", local.placement("fo", "ap-south").get("primary").asText());
        assertTrue(acked.size() >= 20);
    }
}
