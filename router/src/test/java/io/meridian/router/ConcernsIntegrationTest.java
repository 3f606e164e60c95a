package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.testkit.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write concerns ({@code X-Meridian-Write-Concern}, the placement's {@code write_concern}) and read concerns
 * ({@code X-Meridian-Read-Concern}) across regions: two regions' routers, each over its own Kafka Streams applier, in
 * one JVM, on the shared real Kafka cluster. cx-south is configured but runs no node: its port takes connections
 * and never answers, a replica region that never applies nor answers. cx-east is the controller; cx-west's health view is settable, to
 * show a region unhealthy. Every test uses its own tenant.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcernsIntegrationTest {
    private static final String TOKEN = "concerns-token";
    /** write.apply.timeout.ms: how long a write waits for its concern before 503 write_concern_timeout. */
    private static final long APPLY_TIMEOUT_MS = 3_000;
    private static final long READ_CONCERN_TIMEOUT_MS = 800;
    private static final Deque<AutoCloseable> RESOURCES = new ArrayDeque<>();
    private static final Map<String, String> URLS = new LinkedHashMap<>();

    @TempDir
    static Path stateDir;
    static TestCluster cluster;
    static FakeControlPlane euWestControl;
    static TestNode westNode;

    @BeforeAll
    static void startTwoRegions() {
        cluster = SharedRegions.cluster();
        URLS.put("cx-east", "http://127.0.0.1:" + RouterHarness.freePort());
        URLS.put("cx-west", "http://127.0.0.1:" + RouterHarness.freePort());
        try {
            // Listens but never accepts: requests connect, then hang until the asker gives up.
            ServerSocket blackHole = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress());
            RESOURCES.push(blackHole);
            URLS.put("cx-south", "http://127.0.0.1:" + blackHole.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestNode east = startRegion("cx-east");
        TestNode west = startRegion("cx-west");
        westNode = west;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> east.ready() && west.ready());
    }

    private static TestNode startRegion(String region) {
        Map<String, Object> values = TestNode.settings(region, TestNode.regions(URLS),
                URI.create(URLS.get(region)).getPort(), TOKEN);
        values.put(MeridianConfig.STATE_DIR, stateDir.resolve(region).toString());
        values.put(RouterConfigs.WRITE_APPLY_TIMEOUT_MS, Long.toString(APPLY_TIMEOUT_MS));
        values.put(RouterConfigs.READ_CONCERN_TIMEOUT_MS, Long.toString(READ_CONCERN_TIMEOUT_MS));
        // Regions of their own (cx-*), each node with its own applier: the router tests' shared appliers run
        // us-east and eu-west in this JVM.
        TestNode node = TestNode.start(new MeridianConfig(values), self -> {
            if (region.equals("cx-east")) {
                return TestNode.controller(self);
            }
            euWestControl = TestNode.follower(self, URLS.get("cx-east"));
            return euWestControl;
        });
        RESOURCES.push(node);
        return node;
    }

    @AfterAll
    static void stop() {
        TestNode.closeAll(RESOURCES);
    }

    @AfterEach
    void everyRegionHealthyAgain() {
        euWestControl.health = HealthSnapshot.of(0, List.of());
    }

    // ---- write concern

    @Test
    void shouldAcknowledgeAWriteWithConcernAllOnlyOnceEveryReplicaRegionAppliedIt() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\"", null);

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> put = send("PUT", "cx-east", doc(tenant, "k"), "{\"n\":" + i + "}",
                    "X-Meridian-Write-Concern", "all");
            assertEquals(201, put.statusCode(), put.body());
            assertEquals("all", json(put).get("writeConcern").asText());
            assertEquals(List.of("cx-east", "cx-west"), strings(json(put).get("appliedIn")));
            // Acknowledged with "all": cx-west has applied it already, without waiting for a position.
            HttpResponse<String> read = send("GET", "cx-west", doc(tenant, "k"), null);
            assertEquals(200, read.statusCode(), read.body());
            assertEquals("{\"n\":" + i + "}", read.body());
        }

        HttpResponse<String> delete = send("DELETE", "cx-east", doc(tenant, "k"), null,
                "X-Meridian-Write-Concern", "regions=2");
        assertEquals(200, delete.statusCode(), delete.body());
        assertEquals(List.of("cx-east", "cx-west"), strings(json(delete).get("appliedIn")));
        assertEquals(404, send("GET", "cx-west", doc(tenant, "k"), null).statusCode());

        // The default (local) answers as before: no concern fields.
        HttpResponse<String> local = send("PUT", "cx-east", doc(tenant, "plain"), "1");
        assertEquals(201, local.statusCode(), local.body());
        assertFalse(json(local).has("appliedIn"), local.body());
    }

    @Test
    void shouldUseThePlacementsWriteConcernAsTheTenantsDefaultAndKeepItAcrossChanges() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\"", "all");
        HttpResponse<String> put = send("PUT", "cx-east", doc(tenant, "d"), "\"v\"");
        assertEquals(201, put.statusCode(), put.body());
        assertEquals(List.of("cx-east", "cx-west"), strings(json(put).get("appliedIn")));
        // The header overrides the default.
        HttpResponse<String> localPut = send("PUT", "cx-east", doc(tenant, "d"), "\"w\"",
                "X-Meridian-Write-Concern", "local");
        assertEquals(201, localPut.statusCode(), localPut.body());
        assertFalse(json(localPut).has("appliedIn"), localPut.body());

        // A change that names no write concern keeps it.
        HttpResponse<String> changed = admin("PUT", "cx-west", tenant,
                "{\"primary\":\"cx-east\",\"replicas\":[\"cx-east\",\"cx-west\"],\"strategy\":\"lww\"}");
        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals("all", json(changed).get("write_concern").asText(), changed.body());
        assertEquals(2, json(changed).get("epoch").asLong());
        HttpResponse<String> same = admin("PUT", "cx-east", tenant,
                "{\"primary\":\"cx-east\",\"replicas\":[\"cx-east\",\"cx-west\"],\"strategy\":\"lww\","
                        + "\"write_concern\":\"all\"}");
        assertEquals(200, same.statusCode(), same.body());
        assertEquals(2, json(same).get("epoch").asLong(), "already so: no new epoch");
        HttpResponse<String> majority = admin("PUT", "cx-east", tenant,
                "{\"primary\":\"cx-east\",\"replicas\":[\"cx-east\",\"cx-west\"],\"strategy\":\"lww\","
                        + "\"write_concern\":\"majority\"}");
        assertEquals("majority", json(majority).get("write_concern").asText(), majority.body());
    }

    @Test
    void shouldAnswerWriteConcernTimeoutWithThePositionWhenARegionDoesNotApplyInTime() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\",\"cx-south\"", null);

        // Two of three is a majority: cx-south is not needed.
        HttpResponse<String> majority = send("PUT", "cx-east", doc(tenant, "m"), "1",
                "X-Meridian-Write-Concern", "majority");
        assertEquals(201, majority.statusCode(), majority.body());
        assertEquals(List.of("cx-east", "cx-west"), strings(json(majority).get("appliedIn")));

        long start = System.nanoTime();
        HttpResponse<String> all = send("PUT", "cx-east", doc(tenant, "m"), "2", "X-Meridian-Write-Concern", "all");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertError(all, 503, "write_concern_timeout");
        assertTrue(tookMs >= APPLY_TIMEOUT_MS - 500 && tookMs < APPLY_TIMEOUT_MS + 5_000, "took " + tookMs);
        assertTrue(all.headers().firstValue("Retry-After").isPresent());
        JsonNode error = json(all).get("error");
        String position = error.get("position").asText();
        assertEquals(position, all.headers().firstValue("X-Meridian-Position").orElseThrow());
        assertEquals(List.of("cx-east", "cx-west"), strings(error.get("appliedIn")));
        assertEquals(List.of("cx-south"), strings(error.get("missing")));
        assertEquals(3, error.get("required").asInt());

        // Durable and applied: readable with the position it answered with.
        HttpResponse<String> read = send("GET", "cx-west", doc(tenant, "m"), null, "X-Meridian-Min-Position",
                position);
        assertEquals("2", read.body());
        String metrics = send("GET", "cx-east", "/metrics", null).body();
        assertTrue(metrics.contains("meridian_router_write_concern_timeouts_total{concern=\"all\"}"), metrics);
        assertTrue(metrics.contains("meridian_router_write_concern_wait_seconds_bucket{concern=\"majority\","
                + "outcome=\"satisfied\""), metrics);
    }

    @Test
    void shouldRefuseABadOrUnsatisfiableWriteConcernAndWriteNothing() {
        String tenant = placeTenant("cx-west", "\"cx-east\",\"cx-west\"", null);
        HttpResponse<String> first = send("PUT", "cx-west", doc(tenant, "keep"), "1");
        assertEquals(201, first.statusCode(), first.body());
        String position = first.headers().firstValue("X-Meridian-Position").orElseThrow();

        assertError(send("PUT", "cx-west", doc(tenant, "keep"), "2", "X-Meridian-Write-Concern", "most"), 400,
                "invalid_write_concern");
        assertError(send("DELETE", "cx-west", doc(tenant, "keep"), null, "X-Meridian-Write-Concern", "regions=0"),
                400, "invalid_write_concern");
        assertError(send("PUT", "cx-west", doc(tenant, "keep"), "2", "X-Meridian-Write-Concern", "regions=3"), 422,
                "write_concern_unsatisfiable");
        // cx-east unhealthy in cx-west's view: "all" cannot be met, refused before writing.
        euWestControl.health = HealthSnapshot.of(System.currentTimeMillis(), List.of(unhealthy("cx-east")));
        HttpResponse<String> unavailable = send("PUT", "cx-west", doc(tenant, "keep"), "2",
                "X-Meridian-Write-Concern", "all");
        assertError(unavailable, 503, "write_concern_unavailable");
        assertEquals("unhealthy", json(unavailable).at("/error/notCounted/cx-east").asText(), unavailable.body());

        assertError(admin("PUT", "cx-east", tenant, "{\"primary\":\"cx-west\",\"replicas\":[\"cx-east\",\"cx-west\"],"
                + "\"write_concern\":\"most\"}"), 400, "invalid_write_concern");
        assertError(admin("PUT", "cx-west", tenant, "{\"primary\":\"cx-west\",\"replicas\":[\"cx-east\",\"cx-west\"],"
                + "\"write_concern\":3}"), 400, "invalid_write_concern");
        assertError(admin("PUT", "cx-east", tenant, "{\"primary\":\"cx-west\",\"replicas\":[\"cx-east\",\"cx-west\"],"
                + "\"write_concern\":\"regions=3\"}"), 422, "write_concern_unsatisfiable");

        // Nothing was written or changed.
        HttpResponse<String> marker = send("PUT", "cx-west", doc(tenant, "marker"), "1");
        HttpResponse<String> read = send("GET", "cx-east", doc(tenant, "keep"), null, "X-Meridian-Min-Position",
                marker.headers().firstValue("X-Meridian-Position").orElseThrow());
        assertEquals("1", read.body());
        assertEquals(position, read.headers().firstValue("X-Meridian-Position").orElseThrow());
        HttpResponse<String> placement = admin("GET", "cx-east", tenant, null);
        assertEquals(1, json(placement).get("epoch").asLong(), placement.body());
        assertEquals("local", json(placement).get("write_concern").asText(), placement.body());
    }

    // ---- read concern

    @Test
    void shouldReadTheFreshestCopyFromAnyRegionRightAfterALocalWrite() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\"", null);
        for (int i = 0; i < 10; i++) {
            // Acknowledged as soon as cx-east applied it: cx-west may not have it yet.
            assertEquals(201, send("PUT", "cx-east", doc(tenant, "f"), Integer.toString(i)).statusCode());
            HttpResponse<String> read = send("GET", "cx-west", doc(tenant, "f"), null,
                    "X-Meridian-Read-Concern", "freshest");
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(Integer.toString(i), read.body(), "the freshest copy has the acknowledged write");
            String servedBy = read.headers().firstValue("X-Meridian-Served-By").orElseThrow();
            assertTrue(Set.of("cx-east", "cx-west").contains(servedBy), servedBy);
            assertTrue(read.headers().firstValue("X-Meridian-Skipped-Regions").isEmpty(), read.headers().toString());
        }
        HttpResponse<String> deleted = send("DELETE", "cx-east", doc(tenant, "f"), null);
        assertEquals(200, deleted.statusCode());
        HttpResponse<String> gone = send("GET", "cx-west", doc(tenant, "f"), null, "X-Meridian-Read-Concern",
                "freshest");
        assertError(gone, 404, "document_not_found");
        assertTrue(gone.headers().firstValue("X-Meridian-Served-By").isPresent(), gone.headers().toString());

        // The internal read a coordinating node asks: never redirected, with the region's applied offset.
        HttpResponse<String> internal = send("GET", "cx-west", "/v1/replication/tenants/" + tenant + "/docs/f", null);
        assertEquals(200, internal.statusCode(), internal.body());
        assertEquals("cx-west", json(internal).get("region").asText());
        assertTrue(json(internal).get("holds").asBoolean(), internal.body());
    }

    @Test
    void shouldSkipAndNameARegionThatDoesNotAnswerInTime() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\",\"cx-south\"", null);
        String position = send("PUT", "cx-east", doc(tenant, "s"), "\"x\"").headers()
                .firstValue("X-Meridian-Position").orElseThrow();
        send("GET", "cx-west", doc(tenant, "s"), null, "X-Meridian-Min-Position", position);

        HttpResponse<String> freshest = send("GET", "cx-west", doc(tenant, "s"), null,
                "X-Meridian-Read-Concern", "freshest");
        assertEquals(200, freshest.statusCode(), freshest.body());
        assertEquals("\"x\"", freshest.body());
        assertEquals("cx-south", freshest.headers().firstValue("X-Meridian-Skipped-Regions").orElseThrow());
        // Both applied the write; which is further in the partition depends on other tenants' records.
        assertTrue(Set.of("cx-east", "cx-west").contains(
                freshest.headers().firstValue("X-Meridian-Served-By").orElseThrow()), freshest.headers().toString());

        HttpResponse<String> two = send("GET", "cx-east", doc(tenant, "s"), null, "X-Meridian-Read-Concern",
                "majority");
        assertEquals(200, two.statusCode(), two.body());
        HttpResponse<String> three = send("GET", "cx-east", doc(tenant, "s"), null, "X-Meridian-Read-Concern",
                "regions=3");
        assertError(three, 503, "read_concern_unavailable");
        assertEquals("cx-south", three.headers().firstValue("X-Meridian-Skipped-Regions").orElseThrow());
    }

    @Test
    void shouldRefuseABadReadConcern() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\"", null);
        assertError(send("GET", "cx-east", doc(tenant, "r"), null, "X-Meridian-Read-Concern", "newest"), 400,
                "invalid_read_concern");
        assertError(send("GET", "cx-east", doc(tenant, "r"), null, "X-Meridian-Read-Concern", "freshest",
                "X-Meridian-Preferred-Region", "cx-west"), 400, "invalid_read_concern");
        assertError(send("GET", "cx-east", doc(tenant, "r"), null, "X-Meridian-Read-Concern", "regions=3"), 422,
                "read_concern_unsatisfiable");
    }

    // ---- helpers

    /** Creates a tenant through cx-east's admin API and waits until both regions route by it. */
    // ---- consistency check (GET /admin/tenants/{tenant}/verify, meridianctl verify)

    @Test
    void shouldFindReplicaRegionsConsistentAndListTheKeysARegionHasNotApplied() {
        String tenant = placeTenant("cx-east", "\"cx-east\",\"cx-west\"", null);
        for (String key : List.of("k1", "k2", "k3")) {
            assertEquals(201, send("PUT", "cx-east", doc(tenant, key), "{\"v\":\"" + key + "\"}").statusCode());
        }
        JsonNode consistent = verify("cx-west", tenant);
        assertEquals("consistent", consistent.get("status").asText(), consistent.toString());
        assertEquals(consistent.at("/regions/cx-east/position"), consistent.at("/regions/cx-west/position"),
                "compared at the same WAL position");
        assertEquals(3, consistent.at("/regions/cx-west/documents").asInt());

        // Plant a difference: cx-west stops applying, cx-east takes an update, a new key and a delete.
        westNode.streams().pauseApplier();
        try {
            assertEquals(201, send("PUT", "cx-east", doc(tenant, "k2"), "{\"v\":\"changed\"}").statusCode());
            assertEquals(201, send("PUT", "cx-east", doc(tenant, "k4"), "{\"v\":\"new\"}").statusCode());
            assertEquals(200, send("DELETE", "cx-east", doc(tenant, "k3"), null).statusCode());

            JsonNode differs = verify("cx-east", tenant);
            // cx-west cannot reach cx-east's position: it answers as it is, so the keys are listed, unconfirmed.
            assertEquals("unconfirmed", differs.get("status").asText(), differs.toString());
            List<String> keys = new ArrayList<>();
            differs.get("differences").forEach(d -> keys.add(d.get("key").asText()));
            assertEquals(List.of("k2", "k3", "k4"), keys, differs.toString());
            JsonNode k4 = differs.get("differences").get(2).get("versions");
            assertTrue(!k4.hasNonNull("cx-west"), "k4 is absent in cx-west: " + k4);
            assertTrue(k4.get("cx-east").get("digest").asText().startsWith("sha256:"), k4.toString());
        } finally {
            westNode.streams().resumeApplier();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "consistent".equals(verify("cx-east", tenant).get("status").asText()));

        assertError(send("GET", "cx-east", "/admin/tenants/" + cluster.uniqueName("none") + "/verify", null,
                "Authorization", "Bearer " + TOKEN), 404, "tenant_not_found");
        HttpResponse<String> badPosition = send("GET", "cx-east", "/admin/tenants/" + tenant
                + "/digest?min_position=x", null, "Authorization", "Bearer " + TOKEN);
        assertError(badPosition, 400, "invalid_position");
    }

    private static JsonNode verify(String region, String tenant) {
        HttpResponse<String> response = send("GET", region, "/admin/tenants/" + tenant + "/verify", null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return json(response);
    }

    private static String placeTenant(String primary, String replicas, String writeConcern) {
        String tenant = cluster.uniqueName("c");
        HttpResponse<String> created = admin("PUT", "cx-east", tenant, "{\"primary\":\"" + primary
                + "\",\"replicas\":[" + replicas + "]" + (writeConcern == null ? ""
                : ",\"write_concern\":\"" + writeConcern + "\"") + "}");
        assertEquals(201, created.statusCode(), created.body());
        for (String region : new String[] {"cx-east", "cx-west"}) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin("GET", region, tenant, null).statusCode() == 200);
        }
        return tenant;
    }

    private static RegionStatus unhealthy(String region) {
        return new RegionStatus(region, RegionHealth.UNHEALTHY, 0, false, OptionalLong.of(60_000), 10, 0, 1_000,
                1_000, Set.of(), Map.of(), Map.of());
    }

    private static String doc(String tenant, String key) {
        return "/v1/tenants/" + tenant + "/docs/" + key;
    }

    private static HttpResponse<String> admin(String method, String region, String tenant, String body) {
        return send(method, region, "/admin/tenants/" + tenant + "/placement", body,
                "Authorization", "Bearer " + TOKEN);
    }

    private static HttpResponse<String> send(String method, String region, String path, String body,
                                             String... headers) {
        return TestNode.send(method, URLS.get(region) + path, body, Duration.ofSeconds(60), headers);
    }

    private static List<String> strings(JsonNode array) {
        assertTrue(array != null && array.isArray(), String.valueOf(array));
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, json(response).path("error").path("code").asText(), response.body());
    }
}
