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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /v1/replication/applied}: where this node's applier is in a WAL partition, answered once it applied an
 * offset or when the wait ends; and {@link AppliedPositionClient}, the controller's side of it, against the real
 * server.
 */
@Timeout(60)
class AppliedApiTest {
    private static final String APPLIED = "/v1/replication/applied";

    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void shouldAnswerWhereTheApplierIsWithoutAToken() {
        h.tracker.onApplied(new Position(3, 41));

        HttpResponse<String> response = h.get(APPLIED + "?position=3:100");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"region\":\"us-east\",\"node\":\"" + h.config.nodeId() + "\",\"partition\":3,"
                + "\"appliedOffset\":41,\"reached\":false}", response.body());
        JsonNode none = json(h.get(APPLIED + "?position=4:0"));
        assertEquals(-1, none.get("appliedOffset").asLong(), "nothing of partition 4 applied yet");
        assertFalse(none.get("reached").asBoolean());
    }

    @Test
    void shouldAnswerOnceTheApplierAppliedTheOffset() throws Exception {
        h.tracker.onApplied(new Position(3, 41));
        CompletableFuture<HttpResponse<String>> answer = h.sendAsync(
                h.request(APPLIED + "?position=3:100&wait_ms=10000").GET().build());

        h.tracker.onApplied(new Position(3, 99));
        h.tracker.onApplied(new Position(3, 100));

        JsonNode body = json(answer.get(30, TimeUnit.SECONDS));
        assertEquals(100, body.get("appliedOffset").asLong());
        assertTrue(body.get("reached").asBoolean());
    }

    @Test
    void shouldAnswerWithWhereTheApplierIsWhenTheWaitEnds() {
        h.tracker.onApplied(new Position(3, 41));

        HttpResponse<String> response = h.get(APPLIED + "?position=3:100&wait_ms=1");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(41, json(response).get("appliedOffset").asLong());
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
        h.tracker.onApplied(new Position(3, 41));

        CompletableFuture<AppliedProbe.Answer> answer = client.awaitApplied("us-east", 3, 100, Duration.ofSeconds(10));
        h.tracker.onApplied(new Position(3, 100));

        assertEquals(new AppliedProbe.Answer("us-east", h.config.nodeId(), 3, 100), answer.get(30, TimeUnit.SECONDS));
    }

    @Test
    void clientShouldNeverTakeAnotherRegionsAnswerForTheTargets() {
        // A misconfigured URL: "eu-west" points at this us-east node.
        AppliedPositionClient client = new AppliedPositionClient(Map.of("eu-west", URI.create(h.base())));
        h.tracker.onApplied(new Position(3, 100));

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.awaitApplied("eu-west", 3, 100, Duration.ZERO).get(30, TimeUnit.SECONDS));

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
