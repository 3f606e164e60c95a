package io.meridian.node;

import static io.meridian.node.LocalHttp.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code meridian local} with two nodes in us-east (one in each other region): writes and reads through both nodes
 * reach the node owning the tenant's partition, and one us-east node killed (-9) under a write load loses no
 * acknowledged write and fails nothing over: the region stays healthy with its other node, which takes the killed
 * node's partitions. Restarted, the node listens before it joins the region's applier group, and writes go on.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LocalMultiNodeRegionTest {
    private static final String TOKEN = "multinode-token";
    private static final String REGION = "us-east";
    private static final int TENANTS = 8;

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of(
                "health.heartbeat.interval.ms", "500",
                "zookeeper.session.timeout.ms", "4000",
                // A failover would follow quickly if losing one node made the region look unhealthy.
                "failover.leader.timeout.ms", "3000",
                "routing.rebalance.wait.ms", "20000",
                "write.apply.timeout.ms", "20000"),
            Map.of(REGION, 2));

    @Test
    void shouldServeThroughEveryNodeAndLoseNoAcknowledgedWriteWhenANodeOfTheRegionIsKilledAndRestarted() throws Exception {
        LocalDeployment deployment = local.deployment();
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            tenants.add("mn" + i);
            local.place("mn" + i, REGION, "reject");
        }
        String[] entries = {deployment.url(REGION, 0), deployment.url(REGION, 1)};

        // Every tenant through every node; both nodes own some tenants once the region's group settled.
        Map<String, String> ownerOf = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (String tenant : tenants) {
                for (int entry = 0; entry < entries.length; entry++) {
                    String key = "via-" + entry;
                    HttpResponse<String> put = send("PUT", entries[entry] + doc(tenant, key), "{\"via\":" + entry + "}");
                    assertEquals(201, put.statusCode(), put.body());
                    String position = put.headers().firstValue("X-Meridian-Position").orElseThrow();
                    ownerOf.put(tenant, put.headers().firstValue("X-Meridian-Node").orElseThrow());
                    for (String reader : List.of(entries[0], entries[1], local.url("eu-west"))) {
                        HttpResponse<String> read = send("GET", reader + doc(tenant, key), null,
                                "X-Meridian-Min-Position", position);
                        assertEquals(200, read.statusCode(), read.body());
                        assertEquals("{\"via\":" + entry + "}", read.body());
                    }
                }
            }
            return new HashSet<>(ownerOf.values()).equals(Set.of("us-east-1", "us-east-2"));
        });

        // A tenant's digest lives in the store of the node owning its partition: asked of either node of the region,
        // the owner answers (the other forwards), and the consistency check of every tenant finds the regions equal.
        for (String tenant : tenants) {
            String path = "/admin/tenants/" + tenant + "/digest?keys=true";
            HttpResponse<String> first = send("GET", entries[0] + path, null, "Authorization", "Bearer " + TOKEN);
            HttpResponse<String> second = send("GET", entries[1] + path, null, "Authorization", "Bearer " + TOKEN);
            assertEquals(200, first.statusCode(), first.body());
            assertEquals(200, second.statusCode(), second.body());
            assertEquals(Json.readTree(first.body().getBytes()).get("digest"),
                    Json.readTree(second.body().getBytes()).get("digest"), tenant);
            HttpResponse<String> verify = send("GET", entries[1] + "/admin/tenants/" + tenant + "/verify", null,
                    "Authorization", "Bearer " + TOKEN);
            assertEquals(200, verify.statusCode(), verify.body());
            assertEquals("consistent", Json.readTree(verify.body().getBytes()).path("status").asText(),
                    verify.body());
        }

        // A full sync into the region: its progress is known to the node applying the tenant, asked of either.
        String synced = "mn-sync";
        String placementPath = "/admin/tenants/" + synced + "/placement";
        assertEquals(201, local.admin("PUT", "eu-west", placementPath, "{\"primary\":\"eu-west\",\"replicas\":"
                + "[\"eu-west\",\"ap-south\"],\"strategy\":\"reject\"}").statusCode());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                send("PUT", local.url("eu-west") + doc(synced, "seed"), "{\"seed\":1}").statusCode() == 201);
        HttpResponse<String> added = local.admin("PUT", "eu-west", placementPath, "{\"primary\":\"eu-west\","
                + "\"replicas\":[\"eu-west\",\"ap-south\",\"us-east\"],\"strategy\":\"reject\"}");
        assertEquals(200, added.statusCode(), added.body());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String entry : entries) {
                HttpResponse<String> sync = send("GET", entry + "/admin/tenants/" + synced + "/sync", null,
                        "Authorization", "Bearer " + TOKEN);
                assertEquals(200, sync.statusCode(), entry + ": " + sync.body());
            }
        });

        Map<String, String> acked = new ConcurrentHashMap<>();  // tenant/key -> position
        Map<String, Long> lastAckedAt = new ConcurrentHashMap<>();  // tenant -> System.nanoTime()
        Map<String, AtomicInteger> retried = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                for (int n = 0; writing.get(); n++) {
                    String tenant = tenants.get((writer + 4 * n) % tenants.size());
                    String key = "w" + writer + "-" + n;
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (System.nanoTime() < deadline) {
                        String outcome;
                        try {
                            // Through the surviving node; the same Idempotency-Key on every retry.
                            HttpResponse<String> put = send("PUT", entries[0] + doc(tenant, key),
                                    "{\"key\":\"" + key + "\"}", "Idempotency-Key", key);
                            if (put.statusCode() == 201) {
                                acked.put(tenant + "/" + key, put.headers().firstValue("X-Meridian-Position")
                                        .orElseThrow());
                                lastAckedAt.put(tenant, System.nanoTime());
                                break;
                            }
                            outcome = put.statusCode() + " " + Json.readTree(put.body().getBytes()).path("error")
                                    .path("code").asText();
                        } catch (Exception e) {
                            outcome = e.getClass().getSimpleName();
                        }
                        retried.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
                        sleep(100);
                    }
                }
            }, "multinode-writer-" + w);
            thread.start();
            writers.add(thread);
        }
        long killedAt;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 40);
            killedAt = System.nanoTime();
            deployment.killNode(REGION, 1);
            // Every tenant is written again, the killed node's too: its partitions moved to the other node.
            AtomicLong allBackAt = new AtomicLong();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                boolean all = tenants.stream().allMatch(t -> lastAckedAt.getOrDefault(t, 0L) > killedAt);
                if (all) {
                    allBackAt.compareAndSet(0, System.nanoTime());
                }
                return all;
            });
            System.out.printf("multi-node region: kill -9 of us-east-2 to writes of every tenant acknowledged again:"
                    + " %d ms%n", TimeUnit.NANOSECONDS.toMillis(allBackAt.get() - killedAt));
            int afterKill = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterKill + 40);

            // The killed node comes back while the writers go on: it must listen before it joins the region's
            // applier group, which may hand it partitions at once (the other node forwards their requests to it).
            Path log = deployment.logFile(LocalDeployment.nodeName(REGION, 1));
            long restartedAt = Files.size(log);
            long restarting = System.nanoTime();
            deployment.startNode(REGION, 1);
            try {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> since(log, restartedAt).contains("region applier REBALANCING -> RUNNING"));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the restarted node's applier did not run within 120 s; its log since the"
                        + " restart ends:\n" + LocalDeployment.tail(log, 60), e);
            }
            System.out.printf("multi-node region: restart of us-east-2 to its applier running: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarting));
            String restart = since(log, restartedAt);
            int listening = restart.indexOf("serving on port");
            int joining = restart.indexOf("region applier CREATED -> REBALANCING");
            assertTrue(listening >= 0 && listening < joining,
                    "the restarted node's applier joined the group before the node listened:\n" + restart);
            int afterRestart = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= afterRestart + 40);
        } finally {
            writing.set(false);
            for (Thread writer : writers) {
                writer.join(120_000);
            }
        }

        // No acknowledged write lost: readable, with its value, on the surviving us-east node and in eu-west.
        int lost = 0;
        for (var ack : acked.entrySet()) {
            String[] tenantKey = ack.getKey().split("/");
            for (String reader : List.of(entries[0], local.url("eu-west"))) {
                HttpResponse<String> read = send("GET", reader + doc(tenantKey[0], tenantKey[1]), null,
                        "X-Meridian-Min-Position", ack.getValue());
                if (read.statusCode() != 200 || !read.body().equals("{\"key\":\"" + tenantKey[1] + "\"}")) {
                    lost++;
                    System.out.println("lost " + ack + " in " + reader + ": " + read.statusCode() + " " + read.body());
                }
            }
        }
        System.out.printf("multi-node region: %d writes acknowledged, retried answers %s, %d lost%n", acked.size(),
                retried, lost);
        assertEquals(0, lost, "acknowledged writes lost");
        Set<String> unexpected = new HashSet<>(retried.keySet());
        unexpected.removeIf(outcome -> outcome.startsWith("503 ") || outcome.endsWith("Exception"));
        assertTrue(unexpected.isEmpty(), "only retriable answers while the region rebalanced: " + retried);

        // The region stayed healthy with one node: nothing was failed over.
        for (String tenant : tenants) {
            JsonNode placement = local.placement(tenant, "eu-west");
            assertEquals(REGION, placement.get("primary").asText(), tenant + " was failed over");
        }
    }

    /** What {@code log} got after its first {@code offset} bytes. */
    private static String since(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    }

    private static String doc(String tenant, String key) {
        return "/v1/tenants/" + tenant + "/docs/" + key;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
