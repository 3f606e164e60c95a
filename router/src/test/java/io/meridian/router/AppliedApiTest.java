package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterServerTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.Position;
import io.meridian.migration.AppliedProbe;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /v1/replication/applied}: where this node's applier is in a WAL partition, answered once it applied an
 * offset or when the wait ends; and {@link AppliedPositionClient}, the controller's side of it, against the real
 * server.
 */
@Tag("integration")
@Timeout(120)
class AppliedApiTest {
    private static final String APPLIED = "/v1/replication/applied";

    private final String acme = SharedRegions.tenant("acme");
    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** Writes a document of {@code acme} and answers its position, applied. */
    private Position written() {
        HttpResponse<String> put = h.put("/v1/tenants/" + acme + "/docs/k", "1");
        assertEquals(201, put.statusCode(), put.body());
        return Position.parse(put.headers().firstValue("X-Meridian-Position").orElseThrow());
    }

    /** With this region's applier paused, writes a document of {@code acme}: its position, in the WAL, not applied. */
    private Position writtenNotApplied() {
        int before = RouterHarness.sent(acme).size();
        h.pauseApplier();
        h.sendAsync(h.request("/v1/tenants/" + acme + "/docs/k").PUT(java.net.http.HttpRequest.BodyPublishers
                .ofString("2")).build());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> RouterHarness.sent(acme).size() == before + 1);
        java.util.List<SharedRegions.WalEntry> entries = SharedRegions.walEntries(acme);
        return entries.get(entries.size() - 1).position();
    }

    @Test
    void shouldAnswerWhereTheApplierIsWithoutAToken() {
        h.givenTenantHere(acme);
        Position applied = written();
        long ahead = applied.offset() + 1_000_000;

        HttpResponse<String> response = h.get(APPLIED + "?position=" + applied.partition() + ":" + ahead);

        assertEquals(200, response.statusCode(), response.body());
        long at = json(response).get("appliedOffset").asLong();
        assertTrue(at >= applied.offset() && at < ahead, response.body());
        assertEquals("{\"region\":\"us-east\",\"node\":\"" + h.config.nodeId() + "\",\"partition\":"
                + applied.partition() + ",\"appliedOffset\":" + at + ",\"reached\":false}", response.body());

        // A node whose applier has not started applies nothing: nothing of any partition applied yet.
        try (var starting = SharedRegions.unstarted("us-east")) {
            RouterHarness.Options options = new RouterHarness.Options();
            options.view = view -> io.meridian.router.internal.RegionView.of(starting);
            options.tracker = new io.meridian.streams.ApplyTracker();
            try (RouterHarness fresh = new RouterHarness(options)) {
                JsonNode none = json(fresh.get(APPLIED + "?position=" + applied.partition() + ":0"));
                assertEquals(-1, none.get("appliedOffset").asLong(), "nothing applied yet");
                assertFalse(none.get("reached").asBoolean());
            }
        }
    }

    @Test
    void shouldAnswerOnceTheApplierAppliedTheOffset() throws Exception {
        h.givenTenantHere(acme);
        written();
        Position pending = writtenNotApplied();
        CompletableFuture<HttpResponse<String>> answer = h.sendAsync(
                h.request(APPLIED + "?position=" + pending + "&wait_ms=10000").GET().build());
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !answer.isDone());

        h.resumeApplier();

        JsonNode body = json(answer.get(30, TimeUnit.SECONDS));
        assertTrue(body.get("appliedOffset").asLong() >= pending.offset(), body.toString());
        assertTrue(body.get("reached").asBoolean());
    }

    @Test
    void shouldAnswerWithWhereTheApplierIsWhenTheWaitEnds() {
        h.givenTenantHere(acme);
        Position applied = written();
        Position pending = writtenNotApplied();

        HttpResponse<String> response = h.get(APPLIED + "?position=" + pending + "&wait_ms=1");

        assertEquals(200, response.statusCode(), response.body());
        long at = json(response).get("appliedOffset").asLong();
        assertTrue(at >= applied.offset() && at < pending.offset(), response.body());
        assertFalse(json(response).get("reached").asBoolean());
    }

    @Test
    void shouldRefuseABadPositionOrWait() {
        assertError(h.get(APPLIED), 400, "invalid_position");
        assertError(h.get(APPLIED + "?position=3"), 400, "invalid_position");
        assertError(h.get(APPLIED + "?position=12:0"), 400, "invalid_position");  // the WAL has 12 partitions
        assertError(h.get(APPLIED + "?position=3:0&wait_ms=-1"), 400, "invalid_position");
        assertError(h.get(APPLIED + "?position=3:0&wait_ms=soon"), 400, "invalid_position");
        assertError(h.get(APPLIED + "?position=3:0&wait_ms=10001"), 400, "invalid_position");
    }

    // ---- the controller's client ----

    @Test
    void clientShouldGetTheTargetsAnswerOnceItAppliedTheOffset() throws Exception {
        AppliedPositionClient client = new AppliedPositionClient(Map.of("us-east", URI.create(h.base())));
        h.givenTenantHere(acme);
        Position pending = writtenNotApplied();

        CompletableFuture<AppliedProbe.Answer> answer = client.awaitApplied("us-east", pending.partition(),
                pending.offset(), Duration.ofSeconds(10));
        h.resumeApplier();

        AppliedProbe.Answer got = answer.get(30, TimeUnit.SECONDS);
        assertEquals(new AppliedProbe.Answer("us-east", h.config.nodeId(), pending.partition(), got.offset()), got);
        assertTrue(got.offset() >= pending.offset(), got.toString());
    }

    @Test
    void clientShouldNeverTakeAnotherRegionsAnswerForTheTargets() {
        // A misconfigured URL: "eu-west" points at this us-east node.
        AppliedPositionClient client = new AppliedPositionClient(Map.of("eu-west", URI.create(h.base())));
        h.givenTenantHere(acme);
        Position applied = written();

        ExecutionException e = assertThrows(ExecutionException.class, () -> client.awaitApplied("eu-west",
                applied.partition(), applied.offset(), Duration.ZERO).get(30, TimeUnit.SECONDS));

        assertInstanceOf(IllegalStateException.class, e.getCause());
        String message = e.getCause().getMessage();
        assertTrue(message.contains("check the URL configured for eu-west"), message);
    }

    @Test
    void clientShouldFailWhenTheTargetCannotAnswer() {
        AppliedPositionClient client = new AppliedPositionClient(Map.of(
                "us-east", URI.create(h.base() + "/not-meridian"),
                "eu-west", URI.create("http://127.0.0.1:" + RouterHarness.freePort())));

        ExecutionException notFound = assertThrows(ExecutionException.class,
                () -> client.awaitApplied("us-east", 3, 0, Duration.ZERO).get(30, TimeUnit.SECONDS));
        assertTrue(notFound.getCause().getMessage().contains("answered 404"), notFound.getCause().getMessage());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> client.awaitApplied("eu-west", 3, 0, Duration.ZERO).get(30, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, refused.getCause());
        assertTrue(client.awaitApplied("ap-south", 3, 0, Duration.ZERO).isCompletedExceptionally(),
                "no URL configured for ap-south");
    }
}
