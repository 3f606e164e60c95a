package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterHarness.placement;
import static io.meridian.router.RouterServerTest.assertError;
import static io.meridian.router.RouterServerTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.failover.ManualFailoverError;
import io.meridian.infra.model.WriteState;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /admin/replication/election} and {@code /admin/replication/failover} on the controller. */
@Tag("integration")
@Timeout(120)
class ReplicationApiTest {
    private static final String ELECTION = "/admin/replication/election";
    private static final String FAILOVER = "/admin/replication/failover";

    private final RouterHarness h = new RouterHarness("us-east", Map.of(), new RouterServer.AdminTimeouts(
            Duration.ofMillis(800), Duration.ofSeconds(2), Duration.ofSeconds(10)));

    @AfterEach
    void tearDown() {
        h.close();
    }

    // ---- election

    @Test
    void shouldShowTheElectionAsThisNodeSeesItWhenLeading() {
        HttpResponse<String> response = h.admin("GET", ELECTION, null);

        assertEquals(200, response.statusCode(), response.body());
        String self = h.controlPlane.self.nodeId();
        String url = h.controlPlane.self.url();
        assertEquals("{\"backend\":\"zookeeper\",\"state\":\"leader\",\"epoch\":3,\"hasQuorum\":true,"
                + "\"leaderNodeId\":\"" + self + "\",\"leaderRegion\":\"us-east\",\"leaderUrl\":\"" + url + "\","
                + "\"self\":{\"nodeId\":\"" + self + "\",\"region\":\"us-east\",\"url\":\"" + url + "\",\"priority\":0},"
                + "\"since\":\"2025-01-01T00:00:00Z\"}", response.body());
    }

    @Test
    void shouldShowFollowerCandidateAndDisconnectedStatesInLowerCase() {
        h.controlPlane.controller = false;
        h.controlPlane.controllerUrl = URI.create("http://leader.example.test:8080");
        JsonNode follower = json(h.admin("GET", ELECTION, null));
        assertEquals("follower", follower.get("state").asText());
        assertEquals("leader-1", follower.get("leaderNodeId").asText());
        assertEquals("eu-west", follower.get("leaderRegion").asText());
        assertEquals("http://leader.example.test:8080", follower.get("leaderUrl").asText());

        h.controlPlane.controllerUrl = null;
        JsonNode candidate = json(h.admin("GET", ELECTION, null));
        assertEquals("candidate", candidate.get("state").asText());
        assertEquals(-1, candidate.get("epoch").asLong());
        assertTrue(candidate.get("leaderNodeId").isNull(), candidate.toString());
        assertTrue(candidate.get("leaderUrl").isNull(), candidate.toString());

        h.controlPlane.quorum = false;
        JsonNode disconnected = json(h.admin("GET", ELECTION, null));
        assertEquals("disconnected", disconnected.get("state").asText());
        assertEquals(false, disconnected.get("hasQuorum").asBoolean());
    }

    @Test
    void shouldNeedTheAdminToken() {
        assertError(h.send(h.request(ELECTION).GET().build()), 401, "unauthorized");
        assertError(h.send(h.request(FAILOVER).POST(HttpRequest.BodyPublishers.ofString("{\"region\":\"us-east\"}"))
                .build()), 401, "unauthorized");
        assertTrue(h.controlPlane.failovers.isEmpty());
    }

    // ---- failover

    @Test
    void shouldFailARegionOverAndAnswerWithEachTenantAndTheEvent() {
        String acme = SharedRegions.tenant("acme");
        String solo = "solo-" + acme;  // sorts after acme
        h.givenTenantHere(acme);
        h.place(placement(solo, "us-east", List.of("us-east"), 5, WriteState.ACTIVE));
        h.place(placement(SharedRegions.tenant("other"), "eu-west", List.of("eu-west", "us-east"), 2,
                WriteState.ACTIVE));

        HttpResponse<String> response = h.admin("POST", FAILOVER,
                "{\"region\":\"us-east\",\"target\":\"eu-west\",\"force\":false}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of(new FakeControlPlane.FailoverCall("us-east", Optional.of("eu-west"), false)),
                h.controlPlane.failovers);
        JsonNode body = json(response);
        assertEquals("us-east", body.get("region").asText());
        assertEquals("{\"tenant\":\"" + acme + "\",\"oldPrimary\":\"us-east\",\"newPrimary\":\"eu-west\",\"epoch\":2,"
                + "\"outcome\":\"promoted\",\"reason\":\"promoted eu-west\"}", body.at("/tenants/0").toString());
        assertEquals("{\"tenant\":\"" + solo + "\",\"oldPrimary\":\"us-east\",\"newPrimary\":\"us-east\",\"epoch\":5,"
                + "\"outcome\":\"no-healthy-replica\",\"reason\":\"no other replica\"}",
                body.at("/tenants/1").toString());
        assertEquals(2, body.get("tenants").size());
        JsonNode event = body.get("event");
        assertEquals("failover", event.get("type").asText());
        assertEquals("manual", event.get("trigger").asText());
        assertEquals("eu-west", event.get("target").asText());
        assertEquals(3, event.get("controllerEpoch").asLong());
        assertEquals("eu-west", event.at("/tenants/0/candidates/0/region").asText());
        // Answered once this node's view shows the promotion: a write here now is redirected to eu-west.
        assertEquals(2, h.view(acme).orElseThrow().epoch());
        assertEquals(307, h.put("/v1/tenants/" + acme + "/docs/k", "1").statusCode());
    }

    @Test
    void shouldLetTheControllerChooseWithoutTargetAndPassForce() {
        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"ap-south\",\"force\":true}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(0, json(response).get("tenants").size());
        assertEquals("", json(response).at("/event/target").asText());
        assertEquals(List.of(new FakeControlPlane.FailoverCall("ap-south", Optional.empty(), true)),
                h.controlPlane.failovers);
        assertEquals(200, h.admin("POST", FAILOVER, "{\"region\":\"ap-south\",\"target\":null}").statusCode());
    }

    @Test
    void shouldAnswer202WhenThePromotionIsNotShownHereInTime() {
        h.givenTenantHere(SharedRegions.tenant("acme"));
        h.controlPlane.viewsShowChanges = false;  // the fences are committed, the placements never show

        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("promoted", json(response).at("/tenants/0/outcome").asText());
    }

    @Test
    void shouldAnswerUnknownRegionWithTheKnownOnes() {
        h.controlPlane.failoverRejection = new ManualFailoverError.UnknownRegion("mars",
                Set.of("us-east", "eu-west"));

        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"mars\"}");

        assertError(response, 400, "unknown_region");
        assertTrue(message(response).contains("mars") && message(response).contains("eu-west"), message(response));
        assertEquals("[\"eu-west\",\"us-east\"]", json(response).at("/error/knownRegions").toString());
    }

    @Test
    void shouldAnswerInvalidTargetWithTheReason() {
        h.controlPlane.failoverRejection = new ManualFailoverError.InvalidTarget("us-east", "ap-south",
                "ap-south is unhealthy");

        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"us-east\",\"target\":\"ap-south\"}");

        assertError(response, 400, "invalid_target");
        assertEquals("ap-south", json(response).at("/error/target").asText());
        assertEquals("ap-south is unhealthy", json(response).at("/error/reason").asText());
        assertTrue(message(response).contains("omit the target"), message(response));
    }

    @Test
    void shouldAnswerInhibitedWithTheTimeItEnds() {
        h.controlPlane.failoverRejection = new ManualFailoverError.Inhibited("us-east", 1_700_000_000_000L);

        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertError(response, 409, "inhibited");
        assertTrue(message(response).contains("2023-11-14T22:13:20Z"), message(response));
        assertTrue(message(response).contains("force"), message(response));
        assertEquals("2023-11-14T22:13:20Z", json(response).at("/error/until").asText());
        assertEquals(1_700_000_000_000L, json(response).at("/error/untilMillis").asLong());
        assertEquals("", header(response, "Retry-After"));
    }

    @Test
    void shouldRejectBadBodiesWithoutAskingTheController() {
        assertError(h.admin("POST", FAILOVER, "{\"region\":"), 400, "malformed_json");
        assertError(h.admin("POST", FAILOVER, ""), 400, "malformed_json");
        assertError(h.admin("POST", FAILOVER, "[\"us-east\"]"), 400, "invalid_failover");
        assertError(h.admin("POST", FAILOVER, "{}"), 400, "invalid_failover");
        assertError(h.admin("POST", FAILOVER, "{\"region\":\"us-east\",\"dryRun\":true}"), 400, "invalid_failover");
        assertError(h.admin("POST", FAILOVER, "{\"region\":\"US East\"}"), 400, "invalid_failover");
        assertError(h.admin("POST", FAILOVER, "{\"region\":\"us-east\",\"target\":5}"), 400, "invalid_failover");
        assertError(h.admin("POST", FAILOVER, "{\"region\":\"us-east\",\"force\":\"yes\"}"), 400, "invalid_failover");
        assertError(h.admin("GET", FAILOVER, null), 405, "method_not_allowed");

        assertTrue(h.controlPlane.failovers.isEmpty());
    }

    @Test
    void shouldAnswerKafkaUnavailableWhenTheControllerCannotCommit() {
        h.controlPlane.failoverFailure = new ControllerWriteException("transaction timed out (test)", 3, null);

        HttpResponse<String> response = h.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertError(response, 503, "kafka_unavailable");
        assertEquals("5", header(response, "Retry-After"));
    }
}
