package io.meridian.router;

import static io.meridian.router.RouterHarness.code;
import static io.meridian.router.RouterHarness.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.PartitionOwner;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One region with two nodes, on the shared real Kafka cluster: each node its own Kafka Streams applier (one
 * {@code application.id} for the region, so they split the WAL partitions) and router, in one JVM. Node "a" is the
 * controller; "b" forwards its admin requests there. The region has a name of its own ({@value #REGION}), so its
 * applier group and changelogs are this class's alone. The last test makes a node leave and another join under a write
 * load.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeRegionIntegrationTest {
    private static final String REGION = "us-central";
    /** Configured, without a node: a region that holds no copy. */
    private static final String OTHER_REGION = "eu-north";
    private static final String TOKEN = "mn-token";
    private static final int PARTITIONS = 12;
    private static final Map<String, TestNode> NODES = new LinkedHashMap<>();
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();

    @TempDir
    static Path stateDir;
    static TestCluster cluster;
    static String regions;

    @BeforeAll
    static void startTwoNodes() {
        cluster = SharedRegions.cluster();
        PORTS.put("a", RouterHarness.freePort());
        PORTS.put("b", RouterHarness.freePort());
        regions = REGION + "=" + url("a") + "," + OTHER_REGION + "=http://127.0.0.1:" + RouterHarness.freePort();
        startNode("a", TestNode::controller);
        startNode("b", follower());
        awaitSplit("a", "b");
    }

    @AfterAll
    static void stop() {
        NODES.values().forEach(TestNode::close);
    }

    private static String url(String node) {
        return "http://127.0.0.1:" + PORTS.get(node);
    }

    /** The control plane of a node other than "a": "a" is the controller. */
    private static Function<ElectionCandidate, ControlPlane> follower() {
        return self -> TestNode.follower(self, url("a"));
    }

    private static void startNode(String node, Function<ElectionCandidate, ControlPlane> controlPlane) {
        Map<String, Object> values = TestNode.settings(REGION, regions, PORTS.get(node), TOKEN);
        values.put(MeridianConfig.NODE_ID, REGION + "-" + node);
        values.put(MeridianConfig.ADVERTISED_URL, url(node));
        values.put(MeridianConfig.STATE_DIR, stateDir.resolve(node).toString());
        values.put(MeridianConfig.WAL_PARTITIONS, PARTITIONS);
        values.put(RouterConfigs.ROUTING_REBALANCE_WAIT_MS, "20000");
        TestNode started = TestNode.start(new MeridianConfig(values), controlPlane);
        NODES.put(node, started);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(started::ready);
    }

    /** Waits until every node sees every partition owned, by the given nodes and each of them owning some. */
    private static void awaitSplit(String... nodes) {
        Set<String> expected = new HashSet<>();
        for (String node : nodes) {
            expected.add("127.0.0.1:" + PORTS.get(node));
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (String node : nodes) {
                Set<String> owners = new HashSet<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    PartitionOwner owner = NODES.get(node).streams().owner(p);
                    if (!owner.known()) {
                        return false;
                    }
                    owners.add(owner.active().orElseThrow());
                }
                if (!owners.equals(expected)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The node ("a", "b") whose applier owns {@code tenant}'s partition, as node {@code asking} sees it. */
    private static String ownerOf(String tenant, String asking) {
        PartitionOwner owner = NODES.get(asking).streams().owner(WalPartitioner.partitionOf(tenant, PARTITIONS));
        String endpoint = owner.active().orElseThrow();
        return PORTS.entrySet().stream().filter(e -> endpoint.endsWith(":" + e.getValue())).findFirst().orElseThrow()
                .getKey();
    }

    // ---- the tests

    @Test
    @Order(1)
    void shouldWriteAndReadThroughEveryNodeOfTheRegion() {
        List<String> tenants = tenantsOwnedByEachNode();
        Set<String> servedBy = new HashSet<>();
        int forwarded = 0;
        for (String tenant : tenants) {
            String owner = NODES.get(ownerOf(tenant, "a")).id();
            for (String entry : NODES.keySet()) {
                String key = "via-" + entry;
                HttpResponse<String> put = send("PUT", entry, doc(tenant, key), "{\"via\":\"" + entry + "\"}");
                assertEquals(201, put.statusCode(), put.body());
                assertEquals(owner, put.headers().firstValue("X-Meridian-Node").orElseThrow(),
                        "the write is served by the node owning the tenant's partition");
                String position = put.headers().firstValue("X-Meridian-Position").orElseThrow();
                servedBy.add(owner);
                if (!owner.equals(NODES.get(entry).id())) {
                    forwarded++;
                }
                for (String reader : NODES.keySet()) {
                    HttpResponse<String> read = send("GET", reader, doc(tenant, key), null,
                            "X-Meridian-Min-Position", position);
                    assertEquals(200, read.statusCode(), read.body());
                    assertEquals("{\"via\":\"" + entry + "\"}", read.body());
                    assertEquals(position, read.headers().firstValue("X-Meridian-Position").orElseThrow());
                    assertEquals(owner, read.headers().firstValue("X-Meridian-Node").orElseThrow());
                    assertEquals(REGION, read.headers().firstValue("X-Meridian-Region").orElseThrow());

                    HttpResponse<String> applied = send("GET", reader,
                            "/v1/replication/applied?position=" + position + "&wait_ms=5000", null);
                    assertEquals(200, applied.statusCode(), applied.body());
                    assertTrue(json(applied).get("reached").asBoolean(), applied.body());
                    assertEquals(owner, json(applied).get("node").asText(), "the owner's applier answers");
                }
            }
            HttpResponse<String> delete = send("DELETE", "b", doc(tenant, "via-a"), null);
            assertEquals(200, delete.statusCode(), delete.body());
            String deletedAt = delete.headers().firstValue("X-Meridian-Position").orElseThrow();
            HttpResponse<String> gone = send("GET", "a", doc(tenant, "via-a"), null,
                    "X-Meridian-Min-Position", deletedAt);
            assertEquals(404, gone.statusCode(), gone.body());
        }
        assertEquals(Set.of(NODES.get("a").id(), NODES.get("b").id()), servedBy, "both nodes own tenants");
        assertTrue(forwarded > 0, "some requests reached a node that does not own the tenant's partition");
    }

    @Test
    @Order(2)
    void shouldRedirectToAnotherRegionsConfiguredUrlAndNeverForwardThere() {
        String tenant = placeTenant(cluster.uniqueName("mn"), "\"" + REGION + "\",\"" + OTHER_REGION + "\"");
        String otherUrl = regions.substring(regions.indexOf(OTHER_REGION + "=") + OTHER_REGION.length() + 1);
        for (String entry : NODES.keySet()) {
            HttpResponse<String> read = send("GET", entry, doc(tenant, "k"), null,
                    "X-Meridian-Preferred-Region", OTHER_REGION);
            assertEquals(307, read.statusCode(), read.body());
            assertEquals(otherUrl + doc(tenant, "k"), read.headers().firstValue("Location").orElseThrow());
        }
    }

    @Test
    @Order(3)
    void shouldNotForwardARequestTwice() {
        for (String tenant : tenantsOwnedByEachNode()) {
            String owner = ownerOf(tenant, "a");
            String other = owner.equals("a") ? "b" : "a";
            HttpResponse<String> refused = send("PUT", other, doc(tenant, "loop"), "{}",
                    "X-Meridian-Forwarded-By", REGION + "/elsewhere");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("partition_moving", code(refused));
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            HttpResponse<String> read = send("GET", owner, doc(tenant, "loop"), null);
            assertEquals(404, read.statusCode(), "nothing was written: " + read.body());
        }
    }

    /**
     * Writers write through node "a" while node "b" leaves the region (its router, then its applier, closed as a node
     * stops) and a new node "c" joins it. Every write is retried with its Idempotency-Key until acknowledged; every
     * acknowledged write must then be readable with its value.
     */
    @Test
    @Order(4)
    void shouldLoseNoAcknowledgedWriteWhileNodesLeaveAndJoinUnderLoad() throws Exception {
        List<String> tenants = tenantsOwnedByEachNode();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();  // tenant/key -> position
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> servedBy = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    String tenant = tenants.get((writer + n) % tenants.size());
                    String key = "w" + writer + "-" + n;
                    writeUntilAcknowledged(tenant, key, acknowledged, errors, servedBy);
                }
                return null;
            }));
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 40);
            assertTrue(servedBy.contains(NODES.get("b").id()), "b served forwarded writes before it left");

            NODES.remove("b").close();
            int beforeLeave = acknowledged.size();
            await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= beforeLeave + 40);

            PORTS.put("c", RouterHarness.freePort());
            startNode("c", follower());
            awaitSplit("a", "c");
            servedBy.clear();
            int afterJoin = acknowledged.size();
            await().atMost(Duration.ofSeconds(90)).until(() -> acknowledged.size() >= afterJoin + 40
                    && servedBy.contains(NODES.get("c").id()));
        } finally {
            running.set(false);
            for (Future<?> writer : done) {
                writer.get(2, TimeUnit.MINUTES);
            }
            pool.shutdownNow();
        }

        int lost = 0;
        for (Map.Entry<String, String> ack : acknowledged.entrySet()) {
            String[] tenantKey = ack.getKey().split("/");
            for (String reader : NODES.keySet()) {
                HttpResponse<String> read = send("GET", reader, doc(tenantKey[0], tenantKey[1]), null,
                        "X-Meridian-Min-Position", ack.getValue());
                if (read.statusCode() != 200 || !read.body().equals(value(tenantKey[1]))) {
                    lost++;
                }
            }
        }
        System.out.printf("multi-node region: %d writes acknowledged, %d retried answers %s, %d lost%n",
                acknowledged.size(), errors.values().stream().mapToInt(AtomicInteger::get).sum(), errors, lost);
        assertEquals(0, lost, "acknowledged writes lost");
        Set<String> unexpected = new HashSet<>(errors.keySet());
        unexpected.removeAll(Set.of("partition_moving", "owner_unreachable", "not_ready", "apply_timeout",
                "connection"));
        assertTrue(unexpected.isEmpty(), "only retriable answers while the region rebalanced: " + errors);
    }

    private static String value(String key) {
        return "{\"key\":\"" + key + "\"}";
    }

    private static void writeUntilAcknowledged(String tenant, String key, Map<String, String> acknowledged,
                                               Map<String, AtomicInteger> errors, ConcurrentLinkedQueue<String> servedBy) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> put;
            try {
                put = send("PUT", "a", doc(tenant, key), value(key), "Idempotency-Key", key);
            } catch (RuntimeException e) {
                errors.computeIfAbsent("connection", c -> new AtomicInteger()).incrementAndGet();
                continue;
            }
            if (put.statusCode() == 201) {
                acknowledged.put(tenant + "/" + key, put.headers().firstValue("X-Meridian-Position").orElseThrow());
                put.headers().firstValue("X-Meridian-Node").ifPresent(servedBy::add);
                return;
            }
            assertEquals(503, put.statusCode(), put.body());
            errors.computeIfAbsent(code(put), c -> new AtomicInteger()).incrementAndGet();
            sleep(Duration.ofMillis(100));
        }
        throw new AssertionError("write " + tenant + "/" + key + " not acknowledged within 90 s: " + errors);
    }

    // ---- helpers

    /** Tenants placed in the region: at least two on partitions of each node (as "a" sees it). */
    private static List<String> tenantsOwnedByEachNode() {
        Map<String, List<String>> byOwner = new HashMap<>();
        while (byOwner.size() < NODES.size() || byOwner.values().stream().anyMatch(t -> t.size() < 2)) {
            String tenant = cluster.uniqueName("mn");
            byOwner.computeIfAbsent(ownerOf(tenant, "a"), o -> new ArrayList<>()).add(tenant);
        }
        List<String> tenants = new ArrayList<>();
        byOwner.values().forEach(list -> tenants.addAll(list.subList(0, 2)));
        tenants.forEach(MultiNodeRegionIntegrationTest::placeTenant);
        return tenants;
    }

    private static String placeTenant(String tenant) {
        return placeTenant(tenant, "\"" + REGION + "\"");
    }

    private static String placeTenant(String tenant, String replicas) {
        HttpResponse<String> created = send("PUT", "b", "/admin/tenants/" + tenant + "/placement",
                "{\"primary\":\"" + REGION + "\",\"replicas\":[" + replicas + "]}", "Authorization",
                "Bearer " + TOKEN);
        assertEquals(201, created.statusCode(), created.body());
        for (String node : NODES.keySet()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", node,
                    "/admin/tenants/" + tenant + "/placement", null, "Authorization", "Bearer " + TOKEN)
                    .statusCode() == 200);
        }
        return tenant;
    }

    private static String doc(String tenant, String key) {
        return "/v1/tenants/" + tenant + "/docs/" + key;
    }

    private static HttpResponse<String> send(String method, String node, String path, String body,
                                             String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (body != null) {
            all.addAll(List.of("Content-Type", "application/json"));
        }
        return TestNode.send(method, url(node) + path, body, Duration.ofSeconds(90), all.toArray(String[]::new));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
