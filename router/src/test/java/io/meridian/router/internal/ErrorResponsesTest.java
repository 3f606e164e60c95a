package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.serde.Json;
import io.meridian.streams.RegionStreams;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
    private final ErrorResponses errors = new ErrorResponses(7);

    private static JsonNode body(Reply reply) {
        return Json.readTree(reply.body());
    }

    @Test
    void shouldAnswerAnApiExceptionWithItsStatusCodeMessageAndDetails() {
        Reply reply = errors.toReply(ApiException.of(ErrorCode.PLACEMENT_CHANGED, "retry in eu-west", "acme",
                Map.of("primary", "eu-west"), null), "acme");
        assertEquals(409, reply.status());
        assertEquals("application/json", reply.contentType());
        assertEquals("{\"error\":{\"code\":\"placement_changed\",\"message\":\"retry in eu-west\",\"primary\":"
                + "\"eu-west\"}}", reply.bodyText());
        assertNull(reply.header("Retry-After"));
    }

    @Test
    void shouldAddRetryAfterToEveryRetriableAnswer() {
        for (ErrorCode code : ErrorCode.values()) {
            Reply reply = errors.toReply(ApiException.of(code, "m"), null);
            assertEquals(code.status(), reply.status(), code.name());
            assertEquals(code.retriable() ? "7" : null, reply.header("Retry-After"), code.name());
        }
    }

    @Test
    void shouldAskForADelayThatFitsTheCaseAndChallengeOn401() {
        ErrorResponses node = ErrorResponses.forConfig(new io.meridian.infra.config.MeridianConfig(Map.of(
                "region", "us-east", "regions", "us-east=http://a:1", "kafka.bootstrap.servers", "k:9092",
                "zookeeper.session.timeout.ms", "15000")));
        assertEquals("15", node.toReply(ApiException.of(ErrorCode.NO_CONTROLLER, "m"), null).header("Retry-After"));
        assertEquals("15", node.toReply(ApiException.of(ErrorCode.COORDINATION_LOST, "m"), null)
                .header("Retry-After"));
        assertEquals("1", node.toReply(ApiException.of(ErrorCode.WRITES_PAUSED, "m"), null).header("Retry-After"));
        assertEquals("5", node.toReply(ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "m"), null).header("Retry-After"));
        assertEquals("10", node.toReply(ApiException.of(ErrorCode.TARGET_SYNCING, "m"), null).header("Retry-After"));
        Reply unauthorized = node.toReply(ApiException.of(ErrorCode.UNAUTHORIZED, "m"), null);
        assertEquals("Bearer realm=\"meridian\"", unauthorized.header("WWW-Authenticate"));
        assertNull(unauthorized.header("Retry-After"));
        for (ErrorCode code : ErrorCode.values()) {
            Reply reply = node.toReply(ApiException.of(code, "m"), null);
            if (code.status() == 503) {
                assertTrue(Integer.parseInt(reply.header("Retry-After")) >= 1, code.name());
            }
        }
    }

    @Test
    void shouldUseDistinctTypesForRetriableAndFatalErrors() {
        assertInstanceOf(ApiException.Unavailable.class, ApiException.of(ErrorCode.WRITES_PAUSED, "m"));
        assertInstanceOf(ApiException.Rejected.class, ApiException.of(ErrorCode.INVALID_KEY, "m"));
        assertInstanceOf(ApiException.Unavailable.class, ApiException.of(ErrorCode.TARGET_LAGGING, "m"));
        assertInstanceOf(ApiException.Rejected.class, ApiException.of(ErrorCode.ALREADY_SWITCHED, "m"));
        assertEquals(EnumSet.of(ErrorCode.WRITES_PAUSED, ErrorCode.APPLY_TIMEOUT, ErrorCode.APPLIER_BEHIND,
                ErrorCode.KAFKA_UNAVAILABLE,
                ErrorCode.POSITION_NOT_REACHED, ErrorCode.NOT_READY, ErrorCode.COORDINATION_LOST,
                ErrorCode.NO_CONTROLLER, ErrorCode.CONTROLLER_UNREACHABLE, ErrorCode.MIGRATIONS_UNAVAILABLE,
                ErrorCode.MIGRATION_IN_PROGRESS, ErrorCode.TARGET_UNHEALTHY, ErrorCode.TARGET_LAGGING,
                ErrorCode.TOO_MANY_MIGRATIONS,
                ErrorCode.RATE_LIMITED,
                ErrorCode.WRITE_CONCERN_UNAVAILABLE, ErrorCode.WRITE_CONCERN_TIMEOUT,
                ErrorCode.READ_CONCERN_UNAVAILABLE, ErrorCode.TARGET_SYNCING, ErrorCode.PARTITION_MOVING, ErrorCode.OWNER_UNREACHABLE,
                ErrorCode.PRIMARY_UNREACHABLE),
                EnumSet.copyOf(
                java.util.Arrays.stream(ErrorCode.values()).filter(ErrorCode::retriable).toList()));
    }

    @Test
    void shouldUnwrapFutureWrappers() {
        ApiException cause = ApiException.of(ErrorCode.TENANT_NOT_FOUND, "create it");
        Reply reply = errors.toReply(new CompletionException(new ExecutionException(cause)), "acme");
        assertEquals(404, reply.status());
        assertEquals("tenant_not_found", body(reply).at("/error/code").asText());
    }

    @Test
    void shouldAnswerNotReadyWhileStoresAreNotQueryable() {
        Reply reply = errors.toReply(new CompletionException(new NotReadyException("rebalancing", null)),
                "acme");
        assertEquals(503, reply.status());
        assertEquals("not_ready", body(reply).at("/error/code").asText());
        assertEquals("7", reply.header("Retry-After"));
    }

    @Test
    void shouldAnswerNoControllerWhenTheControlPlaneSaysThisNodeIsNotTheController() {
        for (RuntimeException deposed : new RuntimeException[] {new ControlPlane.NotControllerException("deposed"),
                new ControllerFencedException("fenced by epoch 9", 8, null)}) {
            Reply reply = errors.toReply(new CompletionException(deposed), null);
            assertEquals(503, reply.status());
            assertEquals("no_controller", body(reply).at("/error/code").asText());
            assertEquals("7", reply.header("Retry-After"));
        }
    }

    @Test
    void shouldHideTheDetailsOfUnexpectedFailures() {
        Reply reply = errors.toReply(new NullPointerException("secret internals"), "acme");
        assertEquals(500, reply.status());
        assertEquals("internal", body(reply).at("/error/code").asText());
        assertFalse(reply.bodyText().contains("secret") || reply.bodyText().contains("NullPointer"));
        assertFalse(body(reply).at("/error/message").asText().isBlank());
    }

    @Test
    void shouldHaveUniqueLowerCaseWireNames() {
        Set<String> names = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code.wireName().matches("[a-z_]+"), code.wireName());
            assertTrue(names.add(code.wireName()), code.wireName());
        }
        assertFalse(names.contains("redirect"), "redirect is the 307 body's code, not an error");
    }
}
