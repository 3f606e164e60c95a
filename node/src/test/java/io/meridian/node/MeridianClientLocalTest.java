package io.meridian.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.client.Document;
import io.meridian.client.MeridianClient;
import io.meridian.client.MicrometerClientMetrics;
import io.meridian.client.WriteResult;
import io.meridian.infra.serde.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client library ({@code meridian-client}) against {@code meridian local}: writers that use nothing but
 * {@link MeridianClient} go on through a migration of their tenant and then the crash (kill -9) of the region that is
 * its new primary and the client's home region. No call throws, every write the client acknowledged is readable in
 * every surviving region, and every read in the loop sees the session's own write. Its own deployment: the region
 * crash needs automatic failover with every region up, which no other local test's deployment offers at a point a
 * test can run.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MeridianClientLocalTest {
    private static final String TOKEN = "client-token";
    private static final String TENANT = "cl";
    private static final int WRITERS = 3;

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of(
            "health.heartbeat.interval.ms", "500",
            "zookeeper.session.timeout.ms", "4000",
            "failover.leader.timeout.ms", "3000",
            "migration.timeout.ms", "30000"));

    @Test
    void shouldCarryWritesThroughAMigrationAndARegionFailoverWithoutAnErrorOrALostWrite() throws Exception {
        local.awaitEveryRegionHealthyEverywhere();  // migrations refuse a target the controller sees unhealthy
        local.place(TENANT, "us-east", null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Home eu-west: the first writes are redirected to us-east; after the migration eu-west is the primary.
        MeridianClient client = MeridianClient.builder()
                .region("eu-west", local.url("eu-west"))
                .region("us-east", local.url("us-east"))
                .region("ap-south", local.url("ap-south"))
                .metrics(new MicrometerClientMetrics(registry))
                .build();
        Map<String, String> acked = new ConcurrentHashMap<>();  // key -> position
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        AtomicLong slowestWriteMs = new AtomicLong();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                for (int n = 0; writing.get(); n++) {
                    String key = "w" + writer + "-" + n;
                    try {
                        long start = System.nanoTime();
                        WriteResult result = client.put(TENANT, key, Map.of("k", key));
                        slowestWriteMs.accumulateAndGet(
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                        acked.put(key, result.position().toString());
                        if (n % 3 == 0) {  // read it back at once, wherever the read is served
                            Optional<Document> read = client.get(TENANT, key);
                            if (read.isEmpty() || !read.get().value().path("k").asText().equals(key)) {
                                errors.add(new AssertionError("read of own write " + key + " got " + read));
                            }
                        }
                    } catch (RuntimeException e) {
                        errors.add(e);
                    }
                }
            }, "client-writer-" + w);
            thread.start();
            writers.add(thread);
        }
        try {
            awaitMoreAcked(acked, 30);

            // Phase 1: migrate the tenant to eu-west while the writers go on.
            var started = local.admin("POST", "ap-south", "/admin/tenants/" + TENANT + "/migrate",
                    "{\"to_region\":\"eu-west\"}");
            assertEquals(202, started.statusCode(), started.body());
            String id = Json.readTree(started.body().getBytes()).get("id").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                    List.of("completed", "failed", "cancelled").contains(migrationState(id)));
            assertEquals("completed", migrationState(id));
            awaitMoreAcked(acked, 30);
            int ackedBeforeCrash = acked.size();

            // Phase 2: kill eu-west's node, the tenant's primary and the client's home region.
            long killedAt = System.nanoTime();
            local.deployment().killNode("eu-west");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> !local.placement(TENANT, "us-east").get("primary").asText().equals("eu-west"));
            awaitMoreAcked(acked, 30);
            System.out.printf("client: %d writes acknowledged before the crash, %d in all; %d ms from the kill to"
                            + " 30 more; slowest write %d ms; retries %s%n", ackedBeforeCrash, acked.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), slowestWriteMs.get(),
                    retries(registry));
        } finally {
            writing.set(false);
            for (Thread thread : writers) {
                thread.join(90_000);
            }
        }

        assertEquals(List.of(), errors, "no error surfaces to the caller");
        String primary = local.placement(TENANT, "us-east").get("primary").asText();
        assertNotEquals("eu-west", primary);
        // Every acknowledged write, in every surviving region, at the session's positions.
        for (String region : List.of("us-east", "ap-south")) {
            try (MeridianClient reader = MeridianClient.builder().region(region, local.url(region))
                    .session(client.session()).build()) {
                for (var entry : acked.entrySet()) {
                    Document document = reader.get(TENANT, entry.getKey()).orElseThrow(
                            () -> new AssertionError(region + " lost acknowledged write " + entry.getKey()));
                    assertEquals(entry.getKey(), document.value().get("k").asText());
                    assertEquals(region, document.region(), "served by the region asked");
                }
            }
        }
        // The client got there by following redirects and by falling back when eu-west stopped answering.
        assertTrue(retries(registry).getOrDefault("redirect", 0.0) >= 1, retries(registry).toString());
        assertTrue(retries(registry).getOrDefault("unreachable", 0.0) >= 1, retries(registry).toString());
        assertEquals(0, registry.find(MicrometerClientMetrics.OPERATIONS).tag("outcome", "unavailable").timers()
                .size());
        client.close();
    }

    private static void awaitMoreAcked(Map<String, String> acked, int more) {
        int before = acked.size();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> acked.size() >= before + more);
    }

    private static Map<String, Double> retries(SimpleMeterRegistry registry) {
        Map<String, Double> byReason = new ConcurrentHashMap<>();
        registry.find(MicrometerClientMetrics.RETRIES).counters().forEach(counter -> byReason.merge(
                counter.getId().getTag(MicrometerClientMetrics.TAG_REASON), counter.count(), Double::sum));
        return byReason;
    }

    private static String migrationState(String id) throws Exception {
        var response = local.admin("GET", "ap-south", "/admin/migrations/" + id, null);
        assertEquals(200, response.statusCode(), response.body());
        return Json.readTree(response.body().getBytes()).get("state").asText();
    }
}
