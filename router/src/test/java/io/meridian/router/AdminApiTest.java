package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterHarness.placement;
import static io.meridian.router.RouterServerTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ControllerWriteException;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The placement admin API over HTTP on the controller: changes committed to real Kafka, answered once this region's
 * real placement view shows them.
 */
@Tag("integration")
@Timeout(120)
class AdminApiTest {
    private final String acme = SharedRegions.tenant("acme");
    private final String placementPath = "/admin/tenants/" + acme + "/placement";
    private static final String BODY = "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}";

    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void shouldCreateAPlacementAtEpochOneActiveWithDefaultsAndMakeItVisibleAtOnce() {
        HttpResponse<String> response = h.admin("PUT", placementPath, BODY);

        assertEquals(201, response.statusCode(), response.body());
        Placement expected = new Placement(acme, "us-east", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        assertEquals(List.of(expected), h.published);
        assertEquals("{\"tenant\":\"" + acme + "\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"epoch\":1,"
                + "\"writes\":\"active\",\"strategy\":\"reject\",\"mode\":\"single-primary\","
                + "\"write_concern\":\"local\"}", response.body());
        // The answer came after this node's view showed it: the next write here routes by it.
        assertEquals(201, h.put("/v1/tenants/" + acme + "/docs/k", "1").statusCode());
    }

    @Test
    void shouldBumpTheEpochAndKeepTheWritesStateOnAChange() {
        h.place(placement(acme, "us-east", List.of("us-east", "eu-west"), 4, WriteState.PAUSED));

        HttpResponse<String> response = h.admin("PUT", placementPath, "{\"primary\":\"eu-west\",\"replicas\":"
                + "[\"us-east\",\"eu-west\"],\"strategy\":\"lww\",\"mode\":\"multi-primary\"}");

        assertEquals(200, response.statusCode(), response.body());
        Placement published = h.published.get(0);
        assertEquals(5, published.epoch());
        assertEquals(WriteState.PAUSED, published.writes());
        assertEquals("eu-west", published.primary());
        assertEquals(ConflictStrategy.LWW, published.strategy());
        assertEquals(ReplicationMode.MULTI_PRIMARY, published.mode());
        assertEquals(5, json(response).get("epoch").asLong());
    }

    @Test
    void shouldAddAReplicaRegionToAnExistingTenantAsSyncing() {
        h.place(placement(acme, "us-east", List.of("us-east", "eu-west"), 4, WriteState.ACTIVE));

        HttpResponse<String> response = h.admin("PUT", placementPath,
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"]}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of("ap-south"), h.published.get(0).syncing());
    }

    @Test
    void shouldRefuseToMakeARegionWithoutACopyThePrimaryAndChangeNothing() {
        h.place(placement(acme, "us-east", List.of("us-east", "eu-west"), 4, WriteState.ACTIVE));

        HttpResponse<String> response = h.admin("PUT", placementPath,
                "{\"primary\":\"ap-south\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"]}");

        assertError(response, 409, "replica_not_backfilled");
        assertTrue(message(response).contains("ap-south"), message(response));
        assertTrue(h.published.isEmpty());
    }

    @Test
    void shouldWriteNothingWhenThePlacementIsAlreadyAsRequested() {
        Placement current = placement(acme, "us-east", List.of("us-east", "eu-west"), 3, WriteState.ACTIVE);
        h.place(current);

        HttpResponse<String> response = h.admin("PUT", placementPath,
                "{\"primary\":\"us-east\",\"replicas\":[\"eu-west\",\"us-east\"],\"strategy\":\"reject\"}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(3, json(response).get("epoch").asLong());
        assertTrue(h.published.isEmpty());
    }

    @Test
    void shouldRejectInvalidPlacementsAndChangeNothing() {
        assertError(h.admin("PUT", placementPath, "{\"primary\":\"mars\",\"replicas\":[\"mars\"]}"), 400, "unknown_region");
        HttpResponse<String> unknownReplica = h.admin("PUT", placementPath,
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"moon-1\"]}");
        assertError(unknownReplica, 400, "unknown_region");
        assertTrue(message(unknownReplica).contains("moon-1") && message(unknownReplica).contains("eu-west"),
                message(unknownReplica));
        assertError(h.admin("PUT", placementPath, "{\"primary\":\"us-east\",\"replicas\":[\"eu-west\"]}"), 400,
                "invalid_placement");
        assertError(h.admin("PUT", placementPath, "{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"epoch\":9}"),
                400, "invalid_placement");
        assertError(h.admin("PUT", placementPath, "{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],"
                + "\"strategy\":\"newest\"}"), 400, "invalid_placement");
        assertError(h.admin("PUT", placementPath, "{\"primary\":\"us-east\"}"), 400, "invalid_placement");
        assertError(h.admin("PUT", placementPath, "{\"primary\":"), 400, "malformed_json");
        assertError(h.admin("PUT", "/admin/tenants/Not!Valid/placement", BODY), 400, "invalid_tenant");

        assertTrue(h.published.isEmpty());
        assertError(h.admin("GET", placementPath, null), 404, "tenant_not_found");
    }

    @Test
    void shouldAnswerKafkaUnavailableWhenTheControllerCannotCommit() {
        h.controlPlane.changeFailure = new ControllerWriteException("broker down (test)", 3, null);
        HttpResponse<String> response = h.admin("PUT", placementPath, BODY);
        assertError(response, 503, "kafka_unavailable");
        assertEquals("5", RouterServerTest.header(response, "Retry-After"));
    }

    @Test
    void shouldGetOnePlacementAndListAllSortedByTenant() {
        String zeta = "zz-" + acme;  // sorts after acme
        h.place(placement(zeta, "eu-west", List.of("eu-west"), 2, WriteState.ACTIVE));
        h.place(placement(acme, "us-east", List.of("us-east"), 1, WriteState.ACTIVE));

        HttpResponse<String> one = h.admin("GET", placementPath, null);
        assertEquals(200, one.statusCode());
        assertEquals("us-east", json(one).get("primary").asText());

        HttpResponse<String> all = h.admin("GET", "/admin/tenants", null);
        assertEquals(200, all.statusCode());
        // Other tests' tenants are listed too: ours, in order.
        List<String> tenants = new java.util.ArrayList<>();
        json(all).get("tenants").forEach(t -> tenants.add(t.get("tenant").asText()));
        assertEquals(tenants.stream().sorted().toList(), tenants);
        assertTrue(tenants.indexOf(acme) >= 0 && tenants.indexOf(acme) < tenants.indexOf(zeta), tenants.toString());
    }

    @Test
    void shouldRefuseAdminRequestsWithoutTheRightToken() {
        HttpResponse<String> none = h.send(h.request(placementPath).PUT(HttpRequest.BodyPublishers.ofString(BODY))
                .build());
        assertError(none, 401, "unauthorized");
        assertTrue(message(none).contains("MERIDIAN_ADMIN_TOKEN"), message(none));
        assertError(h.send(h.request(placementPath).header("Authorization", "Bearer wrong")
                .PUT(HttpRequest.BodyPublishers.ofString(BODY)).build()), 401, "unauthorized");
        assertError(h.send(h.request(placementPath).header("Authorization", "Basic " + RouterHarness.TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString(BODY)).build()), 401, "unauthorized");
        assertError(h.send(h.request("/admin/tenants").GET().build()), 401, "unauthorized");

        assertTrue(h.published.isEmpty());
    }

    @Test
    void shouldRefuseEveryoneWhenNoTokenIsConfigured() {
        try (RouterHarness open = new RouterHarness(Map.of(SecurityConfigs.ADMIN_TOKEN, ""))) {
            HttpResponse<String> response = open.send(open.request("/admin/tenants")
                    .header("Authorization", "Bearer ").GET().build());
            assertError(response, 401, "unauthorized");
            assertTrue(message(response).contains("MERIDIAN_ADMIN_TOKEN"), message(response));
        }
    }

    @Test
    void shouldPlaceManyTenantsInOneRequestWithAResultPerEntryAndChangeNothingForBadOnes() {
        String a = SharedRegions.tenant("bulk-a");
        String b = SharedRegions.tenant("bulk-b");
        String kept = SharedRegions.tenant("bulk-kept");
        String twice = SharedRegions.tenant("bulk-twice");
        h.place(placement(kept, "us-east", List.of("us-east", "eu-west"), 2, WriteState.ACTIVE));

        HttpResponse<String> response = h.admin("PUT", "/admin/tenants", "{\"tenants\":["
                + entry(a, "us-east") + "," + entry(b, "eu-west") + "," + entry(kept, "us-east") + ","
                + "{\"tenant\":\"" + acme + "\",\"primary\":\"mars\",\"replicas\":[\"mars\"]},"
                + entry(twice, "us-east") + "," + entry(twice, "eu-west") + "]}");

        assertEquals(200, response.statusCode(), response.body());
        var body = json(response);
        assertEquals(2, body.get("created").asInt(), response.body());
        assertEquals(1, body.get("unchanged").asInt());
        assertEquals(3, body.get("failed").asInt());
        assertTrue(body.get("visible").asBoolean());
        var results = body.get("results");
        assertEquals(List.of(201, 201, 200, 400, 400, 400), java.util.stream.StreamSupport
                .stream(results.spliterator(), false).map(r -> r.get("status").asInt()).toList());
        assertEquals("unknown_region", results.get(3).path("error").path("code").asText());
        assertEquals("duplicate_tenant", results.get(4).path("error").path("code").asText());
        assertEquals(2, results.get(2).get("epoch").asLong());
        // Only the two new tenants were published, together; the bad ones changed nothing.
        assertEquals(List.of(a, b), h.published.stream().map(Placement::tenant).toList());
        assertEquals(404, h.admin("GET", placementPath, null).statusCode());
        assertEquals("eu-west", json(h.admin("GET", "/admin/tenants/" + b + "/placement", null)).get("primary")
                .asText());
    }

    @Test
    void shouldAnswerEachEntryOfABatchKafkaDidNotCommitAndRefuseABadBodyWhole() {
        h.controlPlane.changeFailure = new ControllerWriteException("broker down (test)", 3, null);
        HttpResponse<String> response = h.admin("PUT", "/admin/tenants", "{\"tenants\":[" + entry(acme, "us-east")
                + "]}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("kafka_unavailable", json(response).get("results").get(0).path("error").path("code").asText());
        assertError(h.admin("PUT", "/admin/tenants", "{\"tenants\":[]}"), 400, "invalid_bulk");
        assertError(h.admin("PUT", "/admin/tenants", "[{\"tenant\":\"x\"}]"), 400, "invalid_bulk");
        assertTrue(h.published.isEmpty());
    }

    @Test
    void shouldPageThroughThePlacementViewInTenantOrderWithACursorAndFilters() {
        String prefix = SharedRegions.tenant("page");
        StringBuilder body = new StringBuilder("{\"tenants\":[");
        for (int i = 0; i < 7; i++) {
            body.append(i == 0 ? "" : ",").append(entry(prefix + "-" + i, i % 2 == 0 ? "us-east" : "eu-west"));
        }
        assertEquals(7, json(h.admin("PUT", "/admin/tenants", body.append("]}").toString())).get("created").asInt());

        var first = json(h.admin("GET", "/admin/tenants?limit=3&cursor=" + prefix, null));
        assertEquals(List.of(prefix + "-0", prefix + "-1", prefix + "-2"), tenants(first));
        assertEquals(prefix + "-2", first.get("next").asText());
        var second = json(h.admin("GET", "/admin/tenants?limit=3&cursor=" + first.get("next").asText(), null));
        assertEquals(List.of(prefix + "-3", prefix + "-4", prefix + "-5"), tenants(second));

        var eu = json(h.admin("GET", "/admin/tenants?primary=eu-west&limit=2&cursor=" + prefix, null));
        assertEquals(List.of(prefix + "-1", prefix + "-3"), tenants(eu));
        var euNext = json(h.admin("GET", "/admin/tenants?primary=eu-west&region=us-east&limit=1&cursor="
                + eu.get("next").asText(), null));
        assertEquals(List.of(prefix + "-5"), tenants(euNext));
        var ap = json(h.admin("GET", "/admin/tenants?region=ap-south&limit=5&cursor=" + prefix, null));
        assertTrue(tenants(ap).stream().noneMatch(t -> t.startsWith(prefix)), ap.toString());

        assertError(h.admin("GET", "/admin/tenants?limit=0", null), 400, "invalid_page");
        assertError(h.admin("GET", "/admin/tenants?limit=1001", null), 400, "invalid_page");
        assertError(h.admin("GET", "/admin/tenants?limit=ten", null), 400, "invalid_page");
        assertError(h.admin("GET", "/admin/tenants?cursor=Not%20A%20Tenant", null), 400, "invalid_page");
        assertError(h.admin("GET", "/admin/tenants?page=2", null), 400, "invalid_page");
        assertError(h.admin("GET", "/admin/tenants?primary=mars", null), 400, "unknown_region");
    }

    private static List<String> tenants(com.fasterxml.jackson.databind.JsonNode page) {
        return java.util.stream.StreamSupport.stream(page.get("tenants").spliterator(), false)
                .map(p -> p.get("tenant").asText()).toList();
    }

    private static String entry(String tenant, String primary) {
        return "{\"tenant\":\"" + tenant + "\",\"primary\":\"" + primary + "\",\"replicas\":[\"us-east\","
                + "\"eu-west\"]}";
    }
}
