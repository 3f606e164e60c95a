package io.meridian.router;

import static io.meridian.router.RouterHarness.code;
import static io.meridian.router.RouterHarness.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.Topics;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two regions' routers, each over its region's Kafka Streams applier and placement view ({@link SharedRegions}), in
 * one JVM, on the shared real Kafka cluster (three brokers, racks us-east / eu-west / ap-south). ap-south is configured
 * but runs no node: it serves as a region that holds no copy. The us-east node is the controller
 * ({@link SingleNodeControlPlane}: the controller's transactional producer, {@link ControllerLog}); eu-west's control
 * plane names it as the controller, so eu-west forwards its admin changes there over HTTP. Every test uses its own
 * tenant.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RouterIntegrationTest {
    private static final String TOKEN = "it-token";
    private static final Deque<TestNode> NODES = new ArrayDeque<>();
    private static final Map<String, String> URLS = new LinkedHashMap<>();
    private static final String CONTROLLER_REGION = "us-east";

    static TestCluster cluster;

    @BeforeAll
    static void startTwoRegions() {
        cluster = SharedRegions.cluster();
        // Ports must be known before start: each region's config names every region's URL.
        URLS.put("us-east", "http://127.0.0.1:" + RouterHarness.freePort());
        URLS.put("eu-west", "http://127.0.0.1:" + RouterHarness.freePort());
        URLS.put("ap-south", "http://127.0.0.1:" + RouterHarness.freePort());
        // Configured, runs no node, and no test places a tenant there: the region that holds no tenants.
        URLS.put("sa-east", "http://127.0.0.1:" + RouterHarness.freePort());
        startRegion("us-east");
        startRegion("eu-west");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> NODES.stream().allMatch(TestNode::ready));
    }

    private static void startRegion(String region) {
        Map<String, Object> values = TestNode.settings(region, TestNode.regions(URLS),
                URI.create(URLS.get(region)).getPort(), TOKEN);
        // 1 MiB, over what fits max.request.size: a node refuses it at startup; the router alone shows the 413.
        values.put(RouterConfigs.HTTP_MAX_BODY_BYTES, 1024 * 1024);
        // This region's applier and placement view, shared with the other router tests of the JVM.
        TestNode node = TestNode.onSharedApplier(new MeridianConfig(values), self -> region.equals(CONTROLLER_REGION)
                ? TestNode.controller(self) : TestNode.follower(self, URLS.get(CONTROLLER_REGION)));
        NODES.push(node);
        assertEquals(URI.create(URLS.get(region)).getPort(), node.port());
    }

    @AfterAll
    static void stop() {
        TestNode.closeAll(NODES);
    }

    // ---- the tests

    @Test
    void shouldWriteInThePrimaryAndReadTheOwnWriteFromTheOtherRegion() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");

        HttpResponse<String> put = send("PUT", "us-east", doc(tenant, "k1"), "{\"n\":1}");
        assertEquals(201, put.statusCode(), put.body());
        String position = put.headers().firstValue("X-Meridian-Position").orElseThrow();
        assertEquals(position, json(put).get("position").asText());
        assertEquals(1, json(put).get("epoch").asLong());

        HttpResponse<String> read = send("GET", "eu-west", doc(tenant, "k1"), null,
                "X-Meridian-Min-Position", position);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("{\"n\":1}", read.body());
        assertEquals(position, read.headers().firstValue("X-Meridian-Position").orElseThrow());
        assertEquals("eu-west", read.headers().firstValue("X-Meridian-Region").orElseThrow());
        assertEquals("1", read.headers().firstValue("X-Meridian-Epoch").orElseThrow());

        HttpResponse<String> delete = send("DELETE", "us-east", doc(tenant, "k1"), null);
        assertEquals(200, delete.statusCode(), delete.body());
        String deletedAt = delete.headers().firstValue("X-Meridian-Position").orElseThrow();
        HttpResponse<String> gone = send("GET", "eu-west", doc(tenant, "k1"), null,
                "X-Meridian-Min-Position", deletedAt);
        assertEquals(404, gone.statusCode(), gone.body());
        assertEquals("document_not_found", code(gone));
    }

    @Test
    void shouldRedirectAWriteFromTheNonPrimaryToThePrimaryConfiguredUrl() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");

        HttpResponse<String> response = send("PUT", "eu-west", doc(tenant, "k") + "?trace=abc", "{\"n\":2}");

        assertEquals(307, response.statusCode(), response.body());
        assertEquals(URLS.get("us-east") + doc(tenant, "k") + "?trace=abc",
                response.headers().firstValue("Location").orElseThrow());
        assertEquals("redirect", code(response));
    }

    @Test
    void shouldRouteReadsByReplicaAndPreferredRegion() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        String position = json(send("PUT", "us-east", doc(tenant, "r"), "\"v\"")).get("position").asText();
        awaitApplied("eu-west", tenant, position);

        HttpResponse<String> preferred = send("GET", "us-east", doc(tenant, "r"), null,
                "X-Meridian-Preferred-Region", "eu-west");
        assertEquals(307, preferred.statusCode(), preferred.body());
        assertEquals(URLS.get("eu-west") + doc(tenant, "r"), preferred.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> followed = send("GET", "eu-west", doc(tenant, "r"), null,
                "X-Meridian-Preferred-Region", "eu-west");
        assertEquals(200, followed.statusCode(), followed.body());

        assertError(send("GET", "us-east", doc(tenant, "r"), null, "X-Meridian-Preferred-Region", "ap-south"),
                400, "not_a_replica");
        assertError(send("GET", "us-east", doc(tenant, "r"), null, "X-Meridian-Preferred-Region", "mars-1"),
                400, "invalid_region");

        // A tenant held only in us-east: eu-west sends readers to its primary.
        String local = placeTenant("us-east", "us-east", "\"us-east\"");
        HttpResponse<String> notReplica = send("GET", "eu-west", doc(local, "r"), null);
        assertEquals(307, notReplica.statusCode(), notReplica.body());
        assertEquals(URLS.get("us-east") + doc(local, "r"), notReplica.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void shouldRejectEveryBadInputWithItsCodeAndLeaveTheDocumentUnchanged() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        HttpResponse<String> put = send("PUT", "us-east", doc(tenant, "keep"), "{\"v\":1}");
        assertEquals(201, put.statusCode(), put.body());
        String position = json(put).get("position").asText();

        assertError(send("PUT", "us-east", "/v1/tenants/NOT!VALID/docs/keep", "1"), 400, "invalid_tenant");
        assertError(send("PUT", "us-east", "/v1/tenants/" + tenant + "/docs/bad%20key", "1"), 400, "invalid_key");
        assertError(send("PUT", "us-east", doc(tenant, "keep"), "{\"v\":"), 400, "malformed_json");
        assertError(send("PUT", "us-east", doc(tenant, "keep"), "null"), 400, "invalid_document");
        assertError(send("PUT", "us-east", doc(tenant, "keep"), "\"" + "x".repeat(1024 * 1024 + 1) + "\""),
                413, "body_too_large");
        assertError(send("PUT", "us-east", doc(tenant, "keep"), "{\"v\":2}", "Idempotency-Key", "x".repeat(200)),
                400, "invalid_idempotency_key");
        assertError(send("PUT", "us-east", doc(cluster.uniqueName("ghost"), "keep"), "{\"v\":2}"), 404,
                "tenant_not_found");
        assertError(send("GET", "us-east", doc(tenant, "keep"), null, "X-Meridian-Min-Position", "x:y"), 400,
                "invalid_position");
        assertError(send("GET", "us-east", doc(tenant, "missing"), null), 404, "document_not_found");
        assertError(send("PUT", "us-east", "/admin/tenants/" + tenant + "/placement",
                "{\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"]}"), 401, "unauthorized");
        assertError(admin("PUT", "eu-west", tenant, "{\"primary\":\"mars-1\",\"replicas\":[\"mars-1\"]}"),
                400, "unknown_region");
        assertError(admin("PUT", "eu-west", tenant, "{\"primary\":\"eu-west\",\"replicas\":[\"us-east\"]}"),
                400, "invalid_placement");

        HttpResponse<String> read = send("GET", "eu-west", doc(tenant, "keep"), null,
                "X-Meridian-Min-Position", position);
        assertEquals("{\"v\":1}", read.body());
        assertEquals(position, read.headers().firstValue("X-Meridian-Position").orElseThrow());
        HttpResponse<String> placement = admin("GET", "us-east", tenant, null);
        assertEquals(1, json(placement).get("epoch").asLong(), placement.body());
    }

    @Test
    void shouldRefuseADocumentKafkaCannotTakeWith413AndUnrepresentableJsonWith400() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        HttpResponse<String> put = send("PUT", "us-east", doc(tenant, "keep"), "{\"v\":1}");
        assertEquals(201, put.statusCode(), put.body());
        String position = json(put).get("position").asText();

        // Under http.max.body.bytes (1 MiB), but its WAL record is over the producer's max.request.size (1 MiB).
        String big = "\"" + "x".repeat(1_048_408 - 2) + "\"";
        HttpResponse<String> tooLarge = send("PUT", "us-east", doc(tenant, "keep"), big);
        assertError(tooLarge, 413, "document_too_large");
        assertTrue(tooLarge.headers().firstValue("Retry-After").isEmpty(), tooLarge.headers().toString());
        assertTrue(code(tooLarge).length() > 0 && json(tooLarge).at("/error/message").asText()
                .contains("max.request.size"), tooLarge.body());
        assertError(send("PUT", "us-east", doc(tenant, "keep"), "{\"x\":1e400}"), 400, "malformed_json");
        for (int depth : new int[] {500, 1000, 5000, 100_000}) {
            assertError(send("PUT", "us-east", doc(tenant, "keep"), "[".repeat(depth) + "]".repeat(depth)), 400,
                    "malformed_json");
        }

        // Nothing was produced: the document is still the first one, at its first position.
        HttpResponse<String> marker = send("PUT", "us-east", doc(tenant, "marker"), "1");
        assertEquals(201, marker.statusCode(), marker.body());
        HttpResponse<String> read = send("GET", "us-east", doc(tenant, "keep"), null,
                "X-Meridian-Min-Position", marker.headers().firstValue("X-Meridian-Position").orElseThrow());
        assertEquals("{\"v\":1}", read.body());
        assertEquals(position, read.headers().firstValue("X-Meridian-Position").orElseThrow());
    }

    @Test
    void shouldMoveThePrimaryWithAnAdminChangeSeenByBothRegions() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        assertEquals(201, send("PUT", "us-east", doc(tenant, "m"), "\"before\"").statusCode());

        HttpResponse<String> moved = admin("PUT", "eu-west", tenant,
                "{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(2, json(moved).get("epoch").asLong());

        HttpResponse<String> write = send("PUT", "eu-west", doc(tenant, "m"), "\"after\"");
        assertEquals(201, write.statusCode(), write.body());
        assertEquals(2, json(write).get("epoch").asLong());
        String position = json(write).get("position").asText();
        // us-east learns of the change from its own placement view; until then its write is fenced (409)
        // or redirected (307), never accepted.
        await().atMost(Duration.ofSeconds(30)).until(() ->
                send("PUT", "us-east", doc(tenant, "m"), "\"late\"").statusCode() == 307);
        HttpResponse<String> read = send("GET", "us-east", doc(tenant, "m"), null,
                "X-Meridian-Min-Position", position);
        assertEquals("\"after\"", read.body());
    }

    @Test
    void shouldListTenantsForAdmins() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\"");
        HttpResponse<String> list = send("GET", "eu-west", "/admin/tenants", null, "Authorization", "Bearer " + TOKEN);
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains("\"tenant\":\"" + tenant + "\""), list.body());
        assertError(send("GET", "eu-west", "/admin/tenants", null), 401, "unauthorized");
    }

    @Test
    void shouldShowEachNodesViewOfTheElection() {
        HttpResponse<String> leader = send("GET", "us-east", "/admin/replication/election", null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(200, leader.statusCode(), leader.body());
        assertEquals("leader", json(leader).get("state").asText());
        assertEquals(SingleNodeControlPlane.BACKEND, json(leader).get("backend").asText());
        assertEquals(URLS.get("us-east"), json(leader).get("leaderUrl").asText());

        HttpResponse<String> follower = send("GET", "eu-west", "/admin/replication/election", null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(200, follower.statusCode(), follower.body());
        assertEquals("follower", json(follower).get("state").asText());
        assertEquals("eu-west", json(follower).at("/self/region").asText());
    }

    @Test
    void shouldFullSyncARegionAddedToATenantThatHasDocuments() {
        // Before full sync this add was refused with 409 replica_not_backfilled.
        String tenant = placeTenant("us-east", "us-east", "\"us-east\"");
        String last = null;
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> put = send("PUT", "us-east", doc(tenant, "k" + i), "{\"n\":" + i + "}");
            assertEquals(201, put.statusCode(), put.body());
            last = json(put).get("position").asText();
        }
        assertEquals(200, send("DELETE", "us-east", doc(tenant, "k7"), null).statusCode());

        HttpResponse<String> added = admin("PUT", "eu-west", tenant,
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        assertEquals(200, added.statusCode(), added.body());
        assertEquals("[\"eu-west\"]", json(added).get("syncing").toString(), added.body());
        // written while eu-west syncs: it must end with these too
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> put = send("PUT", "us-east", doc(tenant, "k" + i), "{\"after\":" + i + "}");
            assertEquals(201, put.statusCode(), put.body());
            last = json(put).get("position").asText();
        }
        assertEquals(200, send("DELETE", "us-east", doc(tenant, "k8"), null).statusCode());

        // eu-west catches up and the controller clears 'syncing' with a new epoch.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> placement = admin("GET", "eu-west", tenant, null);
            return placement.statusCode() == 200 && !json(placement).has("syncing");
        });
        HttpResponse<String> progress = send("GET", "eu-west", "/admin/tenants/" + tenant + "/sync", null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(200, progress.statusCode(), progress.body());
        JsonNode sync = json(progress).get("sync");
        assertEquals(299, sync.get("documents_copied").asLong(), progress.body());
        assertEquals(299, sync.get("documents_total").asLong(), progress.body());
        assertEquals(sync.get("source_digest").asText(), sync.get("digest").asText(), "digest proven at the fence");

        HttpResponse<String> read = send("GET", "eu-west", doc(tenant, "k100"), null);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("{\"n\":100}", read.body());
        assertEquals(404, send("GET", "eu-west", doc(tenant, "k8"), null).statusCode());
        HttpResponse<String> k3 = send("GET", "eu-west", doc(tenant, "k3"), null);
        assertEquals("{\"after\":3}", k3.body());
        String usEast = digest("us-east", tenant);
        await().atMost(Duration.ofSeconds(30)).until(() -> digest("eu-west", tenant).equals(usEast));
        assertTrue(usEast.startsWith(io.meridian.streams.TenantDigest.PREFIX), usEast);
    }

    @Test
    void shouldRedirectReadsOfASyncingRegionAndRefuseBadSyncAndReseedRequests() {
        HttpResponse<String> unknown = send("POST", "eu-west", "/admin/regions/mars/reseed", null,
                "Authorization", "Bearer " + TOKEN);
        assertError(unknown, 400, "unknown_region");
        HttpResponse<String> none = send("POST", "eu-west", "/admin/regions/sa-east/reseed", null,
                "Authorization", "Bearer " + TOKEN);
        assertError(none, 409, "region_holds_no_tenants");
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        HttpResponse<String> primary = send("POST", "eu-west", "/admin/regions/us-east/reseed", null,
                "Authorization", "Bearer " + TOKEN);
        assertError(primary, 409, "region_is_primary");
        HttpResponse<String> notSyncing = send("DELETE", "eu-west", "/admin/tenants/" + tenant + "/sync/eu-west",
                null, "Authorization", "Bearer " + TOKEN);
        assertError(notSyncing, 409, "not_syncing");
        HttpResponse<String> newPrimary = admin("PUT", "us-east", tenant,
                "{\"primary\":\"ap-south\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"]}");
        assertError(newPrimary, 409, "replica_not_backfilled");
        assertEquals(1, json(admin("GET", "us-east", tenant, null)).get("epoch").asLong(), "nothing changed");

        // ap-south runs no node, so its sync never ends: reads asking for it go to the primary, and it is cancelled.
        HttpResponse<String> added = admin("PUT", "us-east", tenant,
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"]}");
        assertEquals(200, added.statusCode(), added.body());
        await().atMost(Duration.ofSeconds(30)).until(() -> json(admin("GET", "eu-west", tenant, null))
                .path("syncing").toString().equals("[\"ap-south\"]"));
        HttpResponse<String> read = send("GET", "eu-west", doc(tenant, "x"), null,
                "X-Meridian-Preferred-Region", "ap-south");
        assertEquals(307, read.statusCode(), read.body());
        assertEquals(URLS.get("us-east") + doc(tenant, "x"), read.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> cancelled = send("DELETE", "eu-west", "/admin/tenants/" + tenant + "/sync/ap-south",
                null, "Authorization", "Bearer " + TOKEN);
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("[\"us-east\",\"eu-west\"]", json(cancelled).get("replicas").toString());
    }

    private static String digest(String region, String tenant) {
        HttpResponse<String> response = send("GET", region, "/admin/tenants/" + tenant + "/digest", null,
                "Authorization", "Bearer " + TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return json(response).get("digest").asText();
    }

    @Test
    void shouldAnswerWriteConflictToTheLoserOfConcurrentMultiPrimaryWritesAndRecordIt() throws Exception {
        String tenant = placeTenant("us-east", "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"strategy\":\"reject\",\"mode\":\"multi-primary\"}");
        // Both regions write each key at once, each based on its own (empty) copy: whichever record comes second in
        // the log met the other region's write, unless the two happened to run one after the other.
        HttpResponse<String> conflict = null;
        String winner = null;
        for (int attempt = 0; attempt < 20 && conflict == null; attempt++) {
            String key = "c" + attempt;
            var east = CompletableFuture.supplyAsync(
                    () -> send("PUT", "us-east", doc(tenant, key), "{\"from\":\"east\"}"));
            var west = CompletableFuture.supplyAsync(
                    () -> send("PUT", "eu-west", doc(tenant, key), "{\"from\":\"west\"}"));
            HttpResponse<String> a = east.get(90, TimeUnit.SECONDS);
            HttpResponse<String> b = west.get(90, TimeUnit.SECONDS);
            if (a.statusCode() == 409 || b.statusCode() == 409) {
                conflict = a.statusCode() == 409 ? a : b;
                HttpResponse<String> other = a.statusCode() == 409 ? b : a;
                assertEquals(201, other.statusCode(), other.body());
                winner = json(other).get("position").asText();
            } else {
                assertEquals(201, a.statusCode(), a.body());
                assertEquals(201, b.statusCode(), b.body());
            }
        }
        assertNotNull(conflict, "20 pairs of concurrent writes from two regions and never a conflict");
        assertError(conflict, 409, "write_conflict");
        JsonNode details = json(conflict).path("error");
        assertEquals(winner, details.path("current").asText(), conflict.body());
        String rejectedAt = details.path("position").asText();
        // Not applied in either region: both hold the winner's document.
        String key = conflict.uri().getPath().substring(conflict.uri().getPath().lastIndexOf('/') + 1);
        for (String region : new String[] {"us-east", "eu-west"}) {
            HttpResponse<String> read = send("GET", region, doc(tenant, key), null, "X-Meridian-Min-Position",
                    rejectedAt);
            assertEquals(winner, read.headers().firstValue("X-Meridian-Position").orElseThrow(), region);
        }
        // And recorded in meridian.conflicts, naming the rejected write as superseded.
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("group.id", cluster.uniqueName("conflicts-reader"));
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        try (var consumer = new KafkaConsumer<>(props,
                Topics.CONFLICTS.keySerde().deserializer(), Topics.CONFLICTS.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.CONFLICTS.name()));
            List<ConflictRecord> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (tenant.equals(r.key()) && r.value().position().equals(rejectedAt)) {
                        found.add(r.value());
                    }
                });
                return !found.isEmpty();
            });
            ConflictRecord recorded = found.get(0);
            assertTrue(recorded.isWriteConflict(), recorded.toString());
            assertEquals(rejectedAt, recorded.superseded());
            assertEquals(winner, recorded.current());
            assertEquals(ConflictRecord.Resolution.REJECTED, recorded.resolution());
        }
    }

    @Test
    void shouldApplyAWriteOnlyWhenItsIfMatchVersionIsCurrent() {
        String tenant = placeTenant("us-east", "us-east", "\"us-east\",\"eu-west\"");
        String path = doc(tenant, "m");

        HttpResponse<String> created = send("PUT", "us-east", path, "{\"v\":1}", "If-Match", "absent");
        assertEquals(201, created.statusCode(), created.body());
        String v1 = json(created).get("position").asText();

        HttpResponse<String> createAgain = send("PUT", "us-east", path, "{\"v\":9}", "If-Match", "absent");
        assertError(createAgain, 412, "precondition_failed");
        assertEquals(v1, json(createAgain).path("error").path("current").asText());

        HttpResponse<String> updated = send("PUT", "us-east", path, "{\"v\":2}", "If-Match", "\"" + v1 + "\"");
        assertEquals(201, updated.statusCode(), updated.body());
        String v2 = json(updated).get("position").asText();

        HttpResponse<String> staleDelete = send("DELETE", "us-east", path, null, "If-Match", v1);
        assertError(staleDelete, 412, "precondition_failed");
        assertEquals(v2, json(staleDelete).path("error").path("current").asText());
        assertError(send("PUT", "us-east", path, "{\"v\":3}", "If-Match", "*"), 400, "invalid_if_match");

        HttpResponse<String> read = send("GET", "us-east", path, null, "X-Meridian-Min-Position", v2);
        assertEquals("{\"v\":2}", read.body(), "nothing applied on a failed precondition");
        assertEquals(v2, read.headers().firstValue("X-Meridian-Position").orElseThrow());
        assertEquals(200, send("DELETE", "us-east", path, null, "If-Match", v2).statusCode());
    }

    // ---- helpers

    /** Creates a tenant through {@code via}'s admin API and waits until both regions route by it. */
    private static String placeTenant(String via, String primary, String replicas) {
        return placeTenant(via, "{\"primary\":\"" + primary + "\",\"replicas\":[" + replicas + "]}");
    }

    /** Creates a tenant with the placement request {@code body} and waits until both regions route by it. */
    private static String placeTenant(String via, String body) {
        String tenant = cluster.uniqueName("t");
        HttpResponse<String> created = admin("PUT", via, tenant, body);
        assertEquals(201, created.statusCode(), created.body());
        for (String region : new String[] {"us-east", "eu-west"}) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin("GET", region, tenant, null).statusCode() == 200);
        }
        return tenant;
    }

    private static void awaitApplied(String region, String tenant, String position) {
        HttpResponse<String> read = send("GET", region, doc(tenant, "r"), null, "X-Meridian-Min-Position", position);
        assertNotNull(read);
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

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, code(response), response.body());
    }
}
