package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading {@code meridian.ingest} records: a write to make, or the HTTP API's answer to why not. */
class IngestWritesTest {
    private final IngestWrites writes = new IngestWrites(null, null, new DocumentLimit("us-east", 1024),
            new ErrorResponses(1), null, Duration.ofSeconds(1), 12, Runnable::run);

    private IngestWrites.Parsed parse(String json) {
        return writes.parse(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadAPutAsTheDocumentEndpointsWriteWithTheRequestIdAsIdempotencyKey() {
        IngestWrites.Valid put = assertInstanceOf(IngestWrites.Valid.class, parse("{\"requestId\":\"r-1\","
                + "\"tenant\":\"acme\",\"key\":\"k:1\",\"op\":\"put\",\"value\":{\"a\": [1, 2]},\"ifMatch\":\"\\\"3:7\\\"\"}"));
        WriteCommand command = put.command();
        assertEquals("acme", command.tenant());
        assertEquals("k:1", command.key());
        assertEquals("r-1", command.writeId());
        assertEquals(false, command.generatedId(), "a request id is the client's: remembered by the appliers");
        assertEquals("3:7", command.ifMatch());
        assertEquals("{\"a\":[1,2]}", command.value().text());
        assertEquals("/v1/tenants/acme/docs/k:1", command.rawPath());
        assertEquals("{\"a\":[1,2]}", new String(put.body(), StandardCharsets.UTF_8));
        assertEquals("acme/k:1", put.document());
    }

    @Test
    void shouldReadADelete() {
        IngestWrites.Valid delete = assertInstanceOf(IngestWrites.Valid.class,
                parse("{\"requestId\":\"r-2\",\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"delete\",\"value\":null}"));
        assertTrue(delete.command().isDelete());
        assertEquals(0, delete.body().length);
        assertEquals("", delete.command().ifMatch());
    }

    static Stream<Arguments> malformed() {
        String ok = "\"requestId\":\"r\",\"tenant\":\"acme\",\"key\":\"k\"";
        return Stream.of(
                Arguments.of("a tombstone", null, "invalid_ingest_request", null),
                Arguments.of("not JSON", "{\"requestId\":\"r\",", "malformed_json", null),
                Arguments.of("not an object", "[1]", "invalid_ingest_request", null),
                Arguments.of("an unknown field", "{" + ok + ",\"op\":\"put\",\"value\":1,\"ifmatch\":\"absent\"}",
                        "invalid_ingest_request", "r"),
                Arguments.of("no request id", "{\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"delete\"}",
                        "invalid_idempotency_key", null),
                Arguments.of("a request id too long", "{\"requestId\":\"" + "x".repeat(129)
                        + "\",\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"delete\"}", "invalid_idempotency_key", "x".repeat(129)),
                Arguments.of("a tenant that is a number", "{\"requestId\":\"r\",\"tenant\":7,\"key\":\"k\","
                        + "\"op\":\"delete\"}", "invalid_tenant", "r"),
                Arguments.of("an invalid key", "{\"requestId\":\"r\",\"tenant\":\"acme\",\"key\":\"a/b\","
                        + "\"op\":\"delete\"}", "invalid_key", "r"),
                Arguments.of("no op", "{" + ok + ",\"value\":1}", "invalid_ingest_request", "r"),
                Arguments.of("an unknown op", "{" + ok + ",\"op\":\"upsert\",\"value\":1}", "invalid_ingest_request",
                        "r"),
                Arguments.of("a put without value", "{" + ok + ",\"op\":\"put\"}", "invalid_document", "r"),
                Arguments.of("a put of null", "{" + ok + ",\"op\":\"put\",\"value\":null}", "invalid_document", "r"),
                Arguments.of("a delete with a value", "{" + ok + ",\"op\":\"delete\",\"value\":1}",
                        "invalid_ingest_request", "r"),
                Arguments.of("a weak If-Match", "{" + ok + ",\"op\":\"delete\",\"ifMatch\":\"W/\\\"3:1\\\"\"}",
                        "invalid_if_match", "r"),
                Arguments.of("a document too large", "{" + ok + ",\"op\":\"put\",\"value\":\"" + "x".repeat(2000)
                        + "\"}", "document_too_large", "r"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldAnswerAMalformedRequestAsTheHttpApiWould(String name, String json, String code, String requestId) {
        IngestWrites.Malformed malformed = assertInstanceOf(IngestWrites.Malformed.class, parse(json));
        String answered = Json.readTree(malformed.reason().body()).path("error").path("code").asText();
        assertEquals(code, answered, malformed.reason().bodyText());
        assertEquals(ErrorCode.fromWire(code).orElseThrow().status(), malformed.reason().status());
        assertEquals(requestId, malformed.requestId(), "a readable request id keys the outcome");
    }

    @Test
    void shouldKeepWhatCanBeReadOfAMalformedRequest() {
        IngestWrites.Malformed malformed = assertInstanceOf(IngestWrites.Malformed.class,
                parse("{\"requestId\":\"r-9\",\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"merge\"}"));
        assertEquals("r-9", malformed.requestId());
        assertEquals("acme", malformed.tenant());
        assertEquals("k", malformed.key());
        assertEquals("merge", malformed.op());
        assertNull(assertInstanceOf(IngestWrites.Malformed.class, parse("nope")).requestId());
    }
}
