package io.meridian.node;

import static io.meridian.node.LocalHttp.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failback in {@code meridian local}: a tenant prefers us-east; us-east's node is killed (-9) under a write load, the
 * controller fails the tenant over; once us-east is back, healthy for {@code failback.after.ms} and caught up, the
 * controller moves the tenant back through a migration. Every acknowledged write stays readable in every region.
 * Its own deployment: failback into a region needs that region's failover inhibit window to end, which the other
 * local tests keep long on purpose.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LocalFailbackTest {
    private static final String TOKEN = "failback-token";
    private static final String TENANT = "fb";
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of(
            "health.heartbeat.interval.ms", "500",
            "zookeeper.session.timeout.ms", "4000",
            "failover.leader.timeout.ms", "3000",
            "failover.inhibit.window.ms", "5000",
            "failback.after.ms", "5000",
            "migration.timeout.ms", "30000"));

    @Test
    void shouldFailBackToThePreferredPrimaryWithoutLosingAnAcknowledgedWrite() throws Exception {
        String body = "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"],"
                + "\"preferred_primary\":\"us-east\"}";
        String path = "/admin/tenants/" + TENANT + "/placement";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> local.admin("PUT", "eu-west", path, body).statusCode() / 100 == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> local.admin("GET", "us-east", path, null).statusCode() == 200);
        assertEquals("us-east", local.placement(TENANT, "us-east").get("preferred_primary").asText());
        // Bad input changes nothing: a preferred primary that is not a replica.
        var refused = local.admin("PUT", "eu-west", path, "{\"primary\":\"us-east\",\"replicas\":[\"us-east\","
                + "\"eu-west\"],\"preferred_primary\":\"ap-south\"}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("invalid_preferred_primary"), refused.body());

        // An operator's trigger moves a tenant to its preferred primary at once, through a migration.
        placePreferringUsEast("fb-now", "eu-west");
        // The migration's own checks apply: retried while the controller does not see us-east healthy yet.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            var triggered = local.admin("POST", "ap-south", "/admin/tenants/fb-now/failback", null);
            assertTrue(triggered.statusCode() == 202 || triggered.body().contains("target_unhealthy")
                    || triggered.statusCode() == 503, triggered.body());
            return triggered.statusCode() == 202;
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> local.placement("fb-now", "eu-west").get("primary").asText().equals("us-east"));
        var nothingToTrigger = local.admin("POST", "eu-west", "/admin/tenants/fb-now/failback", null);
        assertEquals(409, nothingToTrigger.statusCode(), nothingToTrigger.body());
        assertTrue(nothingToTrigger.body().contains("failback_not_pending"), nothingToTrigger.body());
        // A tenant whose failback an operator cancels stays where the failover put it.
        placePreferringUsEast("fb-keep", "us-east");

        Map<String, String> acked = new ConcurrentHashMap<>();  // key -> position
        AtomicReference<String> primary = new AtomicReference<>("us-east");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                String key = "k" + sequence.incrementAndGet();
                try {
                    String url = local.url(primary.get()) + "/v1/tenants/" + TENANT + "/docs/" + key;
                    HttpResponse<String> response = send("PUT", url, "{\"k\":\"" + key + "\"}");
                    if (response.statusCode() == 307) {  // the primary moved: follow once
                        String location = response.headers().firstValue("Location").orElseThrow();
                        response = send("PUT", location, "{\"k\":\"" + key + "\"}");
                    }
                    if (response.statusCode() == 201) {
                        acked.put(key, response.headers().firstValue("X-Meridian-Position").orElseThrow());
                    } else {
                        refreshPrimary(primary);
                    }
                } catch (Exception e) {
                    refreshPrimary(primary);  // that region is down: the write was never acknowledged
                }
            }
        }, "failback-test-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 20);

            local.deployment().killNode("us-east");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !local.placement(TENANT, "eu-west").get("primary").asText().equals("us-east"));
            String failedOverTo = local.placement(TENANT, "eu-west").get("primary").asText();
            int beforeRestart = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= beforeRestart + 20);

            // The controller lists the failback as waiting (us-east is down), whichever node is asked.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                var failbacks = local.admin("GET", failedOverTo, "/admin/failbacks", null);
                return failbacks.statusCode() == 200 && failbacks.body().contains("\"tenant\":\"" + TENANT + "\"");
            });

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> local.admin("POST",
                    "ap-south", "/admin/tenants/fb-keep/failback/cancel", null).statusCode() == 200);

            long restartedAt = System.nanoTime();
            local.deployment().startNode("us-east");
            local.deployment().awaitReady(Duration.ofMinutes(3));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> local.placement(TENANT, "eu-west").get("primary").asText().equals("us-east"));
            System.out.printf("failback: us-east restart to primary again in %d ms (%d writes acknowledged)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt), acked.size());
            int afterFailback = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterFailback + 20);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }

        // It went back through a migration, and nothing waits any more.
        JsonNode migrations = Json.readTree(local.admin("GET", "ap-south", "/admin/tenants/" + TENANT + "/migrations",
                null).body().getBytes()).path("migrations");
        JsonNode last = migrations.get(migrations.size() - 1);
        assertEquals("us-east", last.path("toRegion").asText(), migrations.toString());
        assertEquals("completed", last.path("state").asText(), migrations.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> !local.admin("GET", "eu-west", "/admin/failbacks", null)
                .body().contains("\"tenant\":\"" + TENANT + "\""));

        // Both other tenants were failed over; fb-now came back too (after fb: one at a time), fb-keep stays.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> local.placement("fb-now", "eu-west").get("primary").asText().equals("us-east"));
        assertTrue(!local.placement("fb-keep", "eu-west").get("primary").asText().equals("us-east"),
                "a cancelled failback happened anyway");

        // No acknowledged write lost: every one is readable in every region.
        for (String region : REGIONS) {
            for (var entry : acked.entrySet()) {
                var read = send("GET", local.url(region) + "/v1/tenants/" + TENANT + "/docs/" + entry.getKey(), null,
                        "X-Meridian-Min-Position", entry.getValue());
                assertEquals(200, read.statusCode(), region + " lost acknowledged write " + entry.getKey());
                assertEquals(entry.getKey(), Json.readTree(read.body().getBytes()).get("k").asText());
            }
        }
    }

    private static void placePreferringUsEast(String tenant, String primary) throws Exception {
        String body = "{\"primary\":\"" + primary + "\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"],"
                + "\"preferred_primary\":\"us-east\"}";
        String path = "/admin/tenants/" + tenant + "/placement";
        assertEquals(201, local.admin("PUT", "eu-west", path, body).statusCode());
        await().atMost(Duration.ofSeconds(30)).until(() -> local.admin("GET", "us-east", path, null).statusCode() == 200);
    }

    /** Asks a region that is up where the tenant's primary is now. */
    private static void refreshPrimary(AtomicReference<String> primary) {
        for (String region : REGIONS) {
            if (region.equals(primary.get())) {
                continue;
            }
            try {
                primary.set(local.placement(TENANT, region).get("primary").asText());
                Thread.sleep(50);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | AssertionError e) {
                // that region is down too: ask the next
            }
        }
    }
}
