package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestParsingTest {
    private static final UUID FIXED = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private static ErrorCode codeOf(Runnable call) {
        return assertThrows(ApiException.class, call::run).code();
    }

    @Test
    void shouldReadIfPausedAsServeByDefaultOrRedirect() {
        assertFalse(RequestParsing.redirectIfPaused(null));
        assertFalse(RequestParsing.redirectIfPaused(" serve "));
        assertTrue(RequestParsing.redirectIfPaused("Redirect"));
        assertEquals(ErrorCode.INVALID_PAUSE, codeOf(() -> RequestParsing.redirectIfPaused("follow")));
    }

    @Test
    void shouldUseTheIdempotencyKeyOrMakeAUuid() {
        assertEquals("abc-123", RequestParsing.writeId("abc-123", () -> FIXED));
        assertEquals(FIXED.toString(), RequestParsing.writeId(null, () -> FIXED));
        assertEquals("x".repeat(128), RequestParsing.writeId("x".repeat(128), () -> FIXED));
        assertEquals("a b ~!", RequestParsing.writeId("a b ~!", () -> FIXED));
    }

    @Test
    void shouldRejectAnIdempotencyKeyThatIsEmptyTooLongOrNotPrintableAscii() {
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, codeOf(() -> RequestParsing.writeId("", () -> FIXED)));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, codeOf(() -> RequestParsing.writeId("   ", () -> FIXED)));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY,
                codeOf(() -> RequestParsing.writeId("x".repeat(129), () -> FIXED)));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, codeOf(() -> RequestParsing.writeId("caf\u00e9", () -> FIXED)));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, codeOf(() -> RequestParsing.writeId("a\tb", () -> FIXED)));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, codeOf(() -> RequestParsing.writeId("a\u007f", () -> FIXED)));
    }

    @Test
    void shouldParseTheMinimumPosition() {
        assertNull(RequestParsing.minPosition(null, 12));
        assertEquals(new Position(3, 1042), RequestParsing.minPosition("3:1042", 12));
        assertEquals(new Position(11, 0), RequestParsing.minPosition(" 11:0 ", 12));
        for (String bad : new String[] {"", "3", "3:", ":4", "a:b", "-1:2", "3:-2", "12:0", "1:2:3"}) {
            assertEquals(ErrorCode.INVALID_POSITION, codeOf(() -> RequestParsing.minPosition(bad, 12)), bad);
        }
    }

    @Test
    void shouldParseIfMatchAsAVersionQuotedOrNot() {
        assertEquals(WalRecord.NO_VERSION, RequestParsing.ifMatch(null));
        assertEquals("3:1042", RequestParsing.ifMatch("3:1042"));
        assertEquals("3:1042", RequestParsing.ifMatch(" \"3:1042\" "));
        assertEquals(WalRecord.ABSENT, RequestParsing.ifMatch("absent"));
        for (String bad : new String[] {"*", "W/\"3:1\"", "", "3", "a:b", "-1:0", "\"3:1042"}) {
            ApiException e = assertThrows(ApiException.class, () -> RequestParsing.ifMatch(bad), bad);
            assertEquals(ErrorCode.INVALID_IF_MATCH, e.code(), bad);
            assertEquals(400, e.status());
        }
    }

    @Test
    void shouldValidateTenantAndKey() {
        assertEquals("acme-1", RequestParsing.tenant("acme-1"));
        assertEquals(ErrorCode.INVALID_TENANT, codeOf(() -> RequestParsing.tenant("Acme")));
        assertEquals(ErrorCode.INVALID_TENANT, codeOf(() -> RequestParsing.tenant("a".repeat(64))));
        assertEquals("user:1@x", RequestParsing.key("user:1@x"));
        assertEquals(ErrorCode.INVALID_KEY, codeOf(() -> RequestParsing.key("a b")));
        assertEquals(ErrorCode.INVALID_KEY, codeOf(() -> RequestParsing.key("")));
    }

    @Test
    void shouldReadABodyUpToTheLimitAndRefuseLargerOnes() {
        byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(ten, RequestParsing.body(new ByteArrayInputStream(ten), 10, 10));
        assertArrayEquals(ten, RequestParsing.body(new ByteArrayInputStream(ten), -1, 10));
        assertEquals(ErrorCode.BODY_TOO_LARGE,
                codeOf(() -> RequestParsing.body(new ByteArrayInputStream(ten), 11, 10)));
        // Without Content-Length: refused once more than the limit arrived.
        assertEquals(ErrorCode.BODY_TOO_LARGE,
                codeOf(() -> RequestParsing.body(new ByteArrayInputStream(new byte[11]), -1, 10)));
        // A lying Content-Length does not get more through either.
        assertEquals(ErrorCode.BODY_TOO_LARGE,
                codeOf(() -> RequestParsing.body(new ByteArrayInputStream(new byte[50]), 5, 10)));
    }

    @Test
    void shouldParseAnyJsonDocumentButNull() {
        assertEquals("{\"a\":[1,true]}", RequestParsing.document("{\"a\":[1,true]}".getBytes()).toString());
        assertEquals("\"s\"", RequestParsing.document("\"s\"".getBytes()).toString());
        assertEquals(ErrorCode.INVALID_DOCUMENT, codeOf(() -> RequestParsing.document("null".getBytes())));
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.document("".getBytes())));
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.document("{\"a\":1,\"a\":2}".getBytes())));
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.document("1 2".getBytes())));
    }

    @Test
    void shouldRefuseNumbersThatOverflowADouble() {
        for (String body : new String[] {"{\"x\":1e400}", "-1e400", "[1, 1.8e308]", "{\"a\":{\"b\":[0,-2e308]}}",
                "NaN", "{\"x\":Infinity}", "-Infinity"}) {
            assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.document(body.getBytes())), body);
        }
        ApiException e = assertThrows(ApiException.class,
                () -> RequestParsing.document("{\"a\":{\"b\":[0,-2e308]}}".getBytes()));
        assertTrue(e.getMessage().contains("/a/b/1"), e.getMessage());
        assertEquals("1.7E308", RequestParsing.document("1.7e308".getBytes()).toString());
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.jsonObject("{\"n\":1e400}".getBytes(),
                java.util.List.of("n"), "{}", m -> ApiException.of(ErrorCode.INVALID_PLACEMENT, m))));
    }

    @Test
    void shouldRefuseDocumentsNestedDeeperThanTheLimitNamingIt() {
        int limit = RequestParsing.MAX_DEPTH;
        assertEquals(200, limit);
        assertEquals(limit, depthOf(RequestParsing.document(nested(limit))));
        for (int depth : new int[] {limit + 1, 500, 1000, 1001, 5000, 100_000}) {
            ApiException e = assertThrows(ApiException.class, () -> RequestParsing.document(nested(depth)));
            assertEquals(ErrorCode.MALFORMED_JSON, e.code(), "depth " + depth);
            assertTrue(e.getMessage().contains("deeper than " + limit), e.getMessage());
        }
        byte[] objects = ("{\"a\":".repeat(5000) + "1" + "}".repeat(5000)).getBytes();
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.document(objects)));
        assertEquals(ErrorCode.MALFORMED_JSON, codeOf(() -> RequestParsing.jsonObject(nested(100_000),
                java.util.List.of("n"), "{}", m -> ApiException.of(ErrorCode.INVALID_PLACEMENT, m))));
    }

    private static byte[] nested(int depth) {
        return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
    }

    private static int depthOf(com.fasterxml.jackson.databind.JsonNode node) {
        int depth = 0;
        while (node.isContainerNode()) {
            depth++;
            node = node.isEmpty() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node.get(0);
        }
        return depth;
    }
}
