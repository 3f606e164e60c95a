package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterHarness.placement;
import static io.meridian.router.RouterServerTest.assertError;
import static io.meridian.router.RouterServerTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.election.failover.ManualFailoverError;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.migration.TargetLaggingException;
import io.meridian.infra.model.WriteState;
import io.meridian.router.internal.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admin mutations reach the controller from any node: two {@link RouterServer}s in one JVM, the leader (us-east, its
 * fake control plane says it is the controller) and a follower (eu-west) whose control plane points at the leader.
 * The leader commits its changes to real Kafka, and each node's real placement view ({@link SharedRegions}) shows them
 * when it has read them.
 */
@Tag("integration")
@Timeout(120)
class ControllerForwardingTest {
    private static final String FAILOVER = "/admin/replication/failover";
    private static final String MIGRATE = "/admin/tenants/acme/migrate";
    private static final String BODY = "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}";
    private static final RouterServer.AdminTimeouts TIMEOUTS = new RouterServer.AdminTimeouts(Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(10));

    /** The tenant of the placement tests (migrations are the controller's fakes: their tenant is plain "acme"). */
    private final String acme = SharedRegions.tenant("acme");
    private final String placementPath = "/admin/tenants/" + acme + "/placement";
    private final RouterHarness leader = new RouterHarness("us-east", Map.of(), TIMEOUTS);
    private final RouterHarness follower = new RouterHarness("eu-west", Map.of(), TIMEOUTS);
    private RecordingController recording;

    ControllerForwardingTest() {
        follower.controlPlane.controller = false;
        follower.controlPlane.controllerUrl = URI.create(leader.base());
    }

    @AfterEach
    void tearDown() {
        follower.close();
        leader.close();
        if (recording != null) {
            recording.close();
        }
    }

    // ---- forwarded to a real controller

    @Test
    void shouldForwardAPlacementChangeAndAnswerOnlyOnceThisNodeShowsIt() {
        HttpResponse<String> created = follower.admin("PUT", placementPath, BODY);

        assertEquals(201, created.statusCode(), created.body());
        assertEquals(1, json(created).get("epoch").asLong());
        assertEquals(1, leader.published.size(), "published by the controller");
        assertTrue(follower.published.isEmpty(), "never by the follower");
        // Answered after the follower's own view showed it, so a request here right now routes by it.
        assertEquals(1, follower.view(acme).orElseThrow().epoch());
        assertTrue(header(created, "Content-Type").startsWith("application/json"));

        HttpResponse<String> moved = follower.admin("PUT", placementPath,
                "{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(2, follower.view(acme).orElseThrow().epoch());
        assertEquals("eu-west", follower.view(acme).orElseThrow().primary());
        assertEquals(2.0, follower.registry.get(RouterMetrics.FORWARDS).tag(RouterMetrics.TAG_OUTCOME, "relayed")
                .counter().count());
    }

    @Test
    void shouldForwardABulkChangeAndAnswerOnceThisNodeShowsEveryChangedTenant() {
        String other = SharedRegions.tenant("globex");
        HttpResponse<String> response = follower.admin("PUT", "/admin/tenants", "{\"tenants\":[{\"tenant\":\"" + acme
                + "\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]},{\"tenant\":\"" + other
                + "\",\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"]},{\"tenant\":\"x\",\"primary\":\"mars\","
                + "\"replicas\":[\"mars\"]}]}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(2, json(response).get("created").asInt(), response.body());
        assertEquals("unknown_region", json(response).at("/results/2/error/code").asText());
        assertTrue(json(response).get("visible").asBoolean());
        assertEquals(2, leader.published.size(), "published by the controller");
        assertTrue(follower.published.isEmpty(), "never by the follower");
        // Answered after the follower's own view showed both.
        assertEquals(1, follower.view(acme).orElseThrow().epoch());
        assertEquals("eu-west", follower.view(other).orElseThrow().primary());
    }

    @Test
    void shouldAnswer202WhenTheForwardedChangeIsCommittedButNotShownHereInTime() {
        leader.controlPlane.viewsShowChanges = false;  // committed (the fence), shown by no view

        HttpResponse<String> response = follower.admin("PUT", placementPath, BODY);

        assertEquals(202, response.statusCode(), response.body());
        assertEquals(1, json(response).get("epoch").asLong());
        assertEquals(1, leader.published.size());
    }

    @Test
    void shouldForwardAFailoverAndRelayItsAnswerOnceThisNodeShowsThePromotions() {
        SharedRegions.awaitVisible("eu-west", leader.givenTenantHere(acme));

        HttpResponse<String> response = follower.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("eu-west", json(response).at("/tenants/0/newPrimary").asText());
        assertEquals(2, json(response).at("/tenants/0/epoch").asLong());
        assertEquals(2, follower.view(acme).orElseThrow().epoch(), "the follower shows the promotion");
        assertEquals(List.of(new FakeControlPlane.FailoverCall("us-east", java.util.Optional.empty(), false)),
                leader.controlPlane.failovers);
        assertTrue(follower.controlPlane.failovers.isEmpty());
    }

    @Test
    void shouldRelayTheControllersRejectionsWithTheirStatusAndBody() {
        leader.controlPlane.failoverRejection = new ManualFailoverError.UnknownRegion("mars", Set.of("us-east"));
        HttpResponse<String> unknown = follower.admin("POST", FAILOVER, "{\"region\":\"mars\"}");
        assertError(unknown, 400, "unknown_region");
        assertEquals(leader.admin("POST", FAILOVER, "{\"region\":\"mars\"}").body(), unknown.body());

        leader.controlPlane.failoverRejection = new ManualFailoverError.Inhibited("us-east", 1_700_000_000_000L);
        HttpResponse<String> inhibited = follower.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");
        assertError(inhibited, 409, "inhibited");
        assertEquals("2023-11-14T22:13:20Z", json(inhibited).at("/error/until").asText());

        // A placement change that lost a race on the controller: 409 with the winner.
        leader.place(placement(acme, "eu-west", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE));
        Placement winner = placement(acme, "eu-west", List.of("us-east", "eu-west"), 2, WriteState.ACTIVE);
        leader.controlPlane.raceWinner = winner;
        HttpResponse<String> raced = follower.admin("PUT", placementPath, BODY);
        assertError(raced, 409, "placement_changed");
        assertEquals("eu-west", json(raced).at("/error/placement/primary").asText());
        assertEquals(3.0, follower.registry.get(RouterMetrics.FORWARDS).tag(RouterMetrics.TAG_OUTCOME, "relayed")
                .counter().count());
    }

    @Test
    void shouldServeARequestForwardedToTheController() {
        HttpResponse<String> response = leader.admin("PUT", placementPath, BODY, Headers.FORWARDED_BY, "eu-west/n1");

        assertEquals(201, response.statusCode(), response.body());
        assertEquals(1, leader.published.size());
    }

    @Test
    void shouldKeepServingReadsLocally() {
        follower.place(placement(acme, "eu-west", List.of("eu-west"), 4, WriteState.ACTIVE));
        leader.controlPlane.controller = false;  // even with no controller reachable at all

        HttpResponse<String> one = follower.admin("GET", placementPath, null);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals(4, json(one).get("epoch").asLong());
        assertEquals(200, follower.admin("GET", "/admin/tenants", null).statusCode());
        assertEquals(200, follower.admin("GET", "/admin/replication/election", null).statusCode());
    }

    // ---- migrations: every endpoint, reads included, runs on the controller

    @Test
    void shouldForwardAMigrationToTheControllerAndRelayItsAnswerAndLocation() {
        follower.migrations.controller = false;  // as the real executor on a node that is not the controller

        HttpResponse<String> response = follower.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\"}");

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("/admin/migrations/m-1", header(response, "Location"));
        assertEquals("m-1", json(response).get("id").asText());
        assertEquals("requested", json(response).get("state").asText());
        List<FakeMigrations.Call> starts = leader.migrations.calls("start");
        assertEquals(1, starts.size());
        assertEquals("acme", starts.get(0).subject());
        assertEquals("eu-west", starts.get(0).target());
        assertEquals("admin API on eu-west/" + follower.config.nodeId(), starts.get(0).requestedBy(),
                "requested by the node the client asked");
        assertTrue(follower.migrations.calls.isEmpty(), "never run on the follower");
        assertEquals(1.0, follower.registry.get(RouterMetrics.FORWARDS).tag(RouterMetrics.TAG_OUTCOME, "relayed")
                .counter().count());
        assertEquals(1.0, leader.registry.get(RouterMetrics.MIGRATION_REQUESTS).tag(RouterMetrics.TAG_OP, "start")
                .tag(RouterMetrics.TAG_OUTCOME, "ok").counter().count());
    }

    @Test
    void shouldForwardMigrationReadsToTheControllerWhichAloneHoldsTheMigrations() {
        follower.migrations.controller = false;
        leader.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west",
                MigrationState.DRAINING));

        HttpResponse<String> one = follower.admin("GET", "/admin/migrations/m-7", null);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("draining", json(one).get("state").asText());

        HttpResponse<String> all = follower.admin("GET", "/admin/tenants/acme/migrations", null);
        assertEquals(200, all.statusCode(), all.body());
        assertEquals("m-7", json(all).at("/migrations/0/id").asText());

        HttpResponse<String> unknown = follower.admin("GET", "/admin/migrations/m-8", null);
        assertError(unknown, 404, "migration_not_found");

        assertEquals(3, leader.migrations.calls.size(), leader.migrations.calls.toString());
        assertTrue(follower.migrations.calls.isEmpty());
    }

    @Test
    void shouldForwardADryRunCancelAndRefusalsAsTheControllerAnswersThem() {
        follower.migrations.controller = false;
        leader.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west",
                MigrationState.DRAINING));

        HttpResponse<String> plan = follower.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":true}");
        assertEquals(200, plan.statusCode(), plan.body());
        assertEquals(true, json(plan).get("valid").asBoolean());
        assertEquals(1, leader.migrations.calls("plan").size());
        assertTrue(leader.migrations.calls("start").isEmpty(), "a dry run starts nothing");

        HttpResponse<String> cancelled = follower.admin("POST", "/admin/migrations/m-7/cancel", null);
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("cancelled", json(cancelled).get("state").asText());
        assertEquals("admin API on eu-west/" + follower.config.nodeId(),
                leader.migrations.calls("cancel").get(0).requestedBy());

        leader.migrations.failure = new TargetLaggingException("acme", "", "eu-west", 900, 100);
        HttpResponse<String> lagging = follower.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\"}");
        assertError(lagging, 409, "target_lagging");
        assertEquals("5", header(lagging, "Retry-After"), "the controller's Retry-After is relayed");
        assertTrue(follower.migrations.calls.isEmpty());
    }

    @Test
    void shouldCheckMigrationRequestsBeforeForwardingAndRefuseWithoutAController() {
        recording = new RecordingController(200, Map.of(), "application/json", "{}");
        follower.controlPlane.controllerUrl = URI.create(recording.base());

        assertError(follower.send(follower.request(MIGRATE).POST(HttpRequest.BodyPublishers.ofString(
                "{\"to_region\":\"eu-west\"}")).build()), 401, "unauthorized");
        assertError(follower.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"now\":true}"), 400,
                "invalid_migration");
        assertError(follower.admin("POST", MIGRATE, "{\"to_region\":\"mars\"}"), 400, "unknown_region");
        assertError(follower.admin("GET", "/admin/migrations/" + "x".repeat(200), null), 404, "migration_not_found");
        assertTrue(recording.requests.isEmpty(), "nothing was forwarded");

        follower.controlPlane.controllerUrl = null;
        HttpResponse<String> none = follower.admin("GET", "/admin/migrations/m-1", null);
        assertError(none, 503, "no_controller");
        assertEquals("10", header(none, "Retry-After"));
        assertError(follower.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\"}"), 503, "no_controller");
        assertTrue(follower.migrations.calls.isEmpty());
    }

    @Test
    void shouldForwardAMigrationGetAsAGetWithoutBody() {
        recording = new RecordingController(200, Map.of(), "application/json", "{\"id\":\"m-1\"}");
        follower.controlPlane.controllerUrl = URI.create(recording.base());

        HttpResponse<String> response = follower.admin("GET", "/admin/migrations/m-1", null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(1, recording.requests.size());
        Recorded sent = recording.requests.get(0);
        assertEquals("GET", sent.method());
        assertEquals("/admin/migrations/m-1", sent.path());
        assertEquals("", sent.body());
        assertEquals("Bearer " + RouterHarness.TOKEN, sent.headers().get("authorization"));
        assertEquals("eu-west/" + follower.config.nodeId(), sent.headers().get("x-meridian-forwarded-by"));
    }

    // ---- what is sent and what is relayed, seen from a recording controller

    @Test
    void shouldForwardMethodPathQueryBodyAndHeadersAndRelayStatusHeadersAndBody() {
        recording = new RecordingController(503, Map.of("Retry-After", "7", "Location", "http://elsewhere/x",
                "X-Internal", "not relayed"), "application/json",
                "{\"error\":{\"code\":\"kafka_unavailable\",\"message\":\"later\"}}");
        follower.controlPlane.controllerUrl = URI.create(recording.base() + "/");

        HttpResponse<String> response = follower.admin("PUT", placementPath + "?dry=1&x=%2F", BODY);

        assertEquals(503, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"kafka_unavailable\",\"message\":\"later\"}}", response.body());
        assertEquals("7", header(response, "Retry-After"));
        assertEquals("http://elsewhere/x", header(response, "Location"));
        assertEquals("", header(response, "X-Internal"));
        assertTrue(header(response, "Content-Type").startsWith("application/json"));

        assertEquals(1, recording.requests.size());
        Recorded sent = recording.requests.get(0);
        assertEquals("PUT", sent.method());
        assertEquals(placementPath, sent.path());
        assertEquals("dry=1&x=%2F", sent.query());
        assertEquals(BODY, sent.body());
        assertEquals("Bearer " + RouterHarness.TOKEN, sent.headers().get("authorization"));
        assertEquals("application/json", sent.headers().get("content-type"));
        assertEquals("eu-west/" + follower.config.nodeId(), sent.headers().get("x-meridian-forwarded-by"));
    }

    @Test
    void shouldRelayAControllerRedirectAsIs() {
        recording = new RecordingController(307, Map.of("Location", "http://other-controller/admin"),
                "application/json", "{\"error\":{\"code\":\"redirect\",\"message\":\"go\"}}");
        follower.controlPlane.controllerUrl = URI.create(recording.base());

        HttpResponse<String> response = follower.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertEquals(307, response.statusCode(), response.body());
        assertEquals("http://other-controller/admin", header(response, "Location"));
        assertEquals(1, recording.requests.size(), "followed by nobody");
    }

    @Test
    void shouldCheckTheTokenAndTheBodyBeforeForwarding() {
        recording = new RecordingController(200, Map.of(), "application/json", "{}");
        follower.controlPlane.controllerUrl = URI.create(recording.base());

        assertError(follower.send(follower.request(placementPath).PUT(HttpRequest.BodyPublishers.ofString(BODY)).build()),
                401, "unauthorized");
        assertError(follower.send(follower.request(FAILOVER).header("Authorization", "Bearer wrong")
                .POST(HttpRequest.BodyPublishers.ofString("{\"region\":\"us-east\"}")).build()), 401, "unauthorized");
        assertError(follower.admin("PUT", placementPath, "{\"primary\":\"mars\",\"replicas\":[\"mars\"]}"), 400,
                "unknown_region");
        assertError(follower.admin("POST", FAILOVER, "{\"region\":\"us-east\",\"dry\":true}"), 400,
                "invalid_failover");

        assertTrue(recording.requests.isEmpty(), "nothing was forwarded");
    }

    // ---- refusals

    @Test
    void shouldRefuseARequestThatWasAlreadyForwardedInsteadOfForwardingItAgain() {
        HttpResponse<String> response = follower.admin("PUT", placementPath, BODY, Headers.FORWARDED_BY, "ap-south/n7");

        assertError(response, 503, "no_controller");
        assertEquals("10", header(response, "Retry-After"));
        assertTrue(message(response).contains("ap-south/n7"), message(response));
        assertTrue(leader.published.isEmpty());
        assertEquals(1.0, follower.registry.get(RouterMetrics.FORWARDS).tag(RouterMetrics.TAG_OUTCOME, "loop")
                .counter().count());
    }

    @Test
    void shouldAnswerNoControllerWhileNoControllerIsKnown() {
        follower.controlPlane.controllerUrl = null;

        HttpResponse<String> response = follower.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

        assertError(response, 503, "no_controller");
        assertEquals("10", header(response, "Retry-After"));
        assertTrue(message(response).contains("election is in progress"), message(response));
        assertEquals(1.0, follower.registry.get(RouterMetrics.FORWARDS)
                .tag(RouterMetrics.TAG_OUTCOME, "no_controller").counter().count());
    }

    @Test
    void shouldAnswerControllerUnreachableWhenTheControllerRefusesTheConnection() {
        String closed = "http://127.0.0.1:" + RouterHarness.freePort();
        follower.controlPlane.controllerUrl = URI.create(closed);

        HttpResponse<String> response = follower.admin("PUT", placementPath, BODY);

        assertError(response, 503, "controller_unreachable");
        assertEquals("10", header(response, "Retry-After"));
        assertEquals(closed, json(response).at("/error/controller").asText());
        assertTrue(message(response).contains("nothing was changed"), message(response));
        assertEquals(1.0, follower.registry.get(RouterMetrics.FORWARDS)
                .tag(RouterMetrics.TAG_OUTCOME, "unreachable").counter().count());
    }

    @Test
    void shouldAnswerControllerUnreachableWhenTheControllerDoesNotAnswerInTime() {
        recording = new RecordingController(200, Map.of(), "application/json", "{}");
        recording.delay = Duration.ofSeconds(5);
        try (RouterHarness impatient = new RouterHarness("eu-west", Map.of(), new RouterServer.AdminTimeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500)))) {
            impatient.controlPlane.controller = false;
            impatient.controlPlane.controllerUrl = URI.create(recording.base());

            HttpResponse<String> response = impatient.admin("POST", FAILOVER, "{\"region\":\"us-east\"}");

            assertError(response, 503, "controller_unreachable");
            assertTrue(message(response).contains("may or may not have been made"), message(response));
        }
    }

    @Test
    void shouldAnswerNoControllerWhenTheControllerIsDeposedMidRequest() {
        leader.controlPlane.changeFailure = new NotControllerException("deposed (test)");
        assertError(follower.admin("PUT", placementPath, BODY), 503, "no_controller");

        leader.controlPlane.changeFailure = new ControllerFencedException("fenced by epoch 4 (test)", 3, null);
        HttpResponse<String> fenced = leader.admin("PUT", placementPath, BODY);
        assertError(fenced, 503, "no_controller");
        assertEquals("10", header(fenced, "Retry-After"));

        leader.controlPlane.changeFailure = null;
        leader.controlPlane.failoverFailure = new NotControllerException("deposed (test)");
        assertError(leader.admin("POST", FAILOVER, "{\"region\":\"us-east\"}"), 503, "no_controller");
        assertTrue(leader.published.isEmpty());
    }

    /** One request as the recording controller saw it; header names lower-case. */
    record Recorded(String method, String path, String query, Map<String, String> headers, String body) {
    }

    /** A stand-in controller that records what it receives and answers with one canned response. */
    static final class RecordingController implements AutoCloseable {
        final List<Recorded> requests = new CopyOnWriteArrayList<>();
        volatile Duration delay = Duration.ZERO;
        private final HttpServer server;

        RecordingController(int status, Map<String, String> headers, String contentType, String body) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                Map<String, String> received = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((name, values) ->
                        received.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
                requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), received,
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                exchange.getResponseHeaders().add("Content-Type", contentType);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
        }

        String base() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
