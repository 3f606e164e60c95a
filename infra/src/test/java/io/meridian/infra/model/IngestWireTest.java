package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of {@code meridian.ingest} requests and {@code meridian.ingest-results} outcomes, as documented. */
class IngestWireTest {

    @Test
    void shouldWriteARequestAsDocumented() {
        String put = new String(Json.write(IngestRequest.put("r1", "acme", "k", RawJson.parse("{\"n\":1}"))
                .withIfMatch("3:1042")), StandardCharsets.UTF_8);
        assertEquals("{\"requestId\":\"r1\",\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"put\",\"value\":{\"n\":1},"
                + "\"ifMatch\":\"3:1042\"}", put);
        String delete = new String(Json.write(IngestRequest.delete("r2", "acme", "k")), StandardCharsets.UTF_8);
        assertEquals("{\"requestId\":\"r2\",\"tenant\":\"acme\",\"key\":\"k\",\"op\":\"delete\"}", delete);
    }

    @Test
    void shouldReadBackAnAcceptedOutcomeWithoutTheFieldsOfARejection() {
        IngestResult accepted = new IngestResult("r1", "acme", "k", "put", IngestResult.ACCEPTED, 201, "3:1042", 4,
                "us-east", null, null, null, "meridian.ingest-0@7", "us-east-1", 1000);
        byte[] json = Topics.INGEST_RESULTS.valueSerde().serializer().serialize("t", accepted);
        String text = new String(json, StandardCharsets.UTF_8);
        assertFalse(text.contains("\"code\""), text);
        assertFalse(text.contains("\"details\""), text);
        assertEquals(accepted, Topics.INGEST_RESULTS.valueSerde().deserializer().deserialize("t", json));
        assertTrue(accepted.accepted());
    }

    @Test
    void shouldReadBackARejectedOutcomeOfAnUnreadableRequest() {
        IngestResult rejected = new IngestResult(null, null, null, null, IngestResult.REJECTED, 400, null, 0, null,
                "malformed_json", "the body is not valid JSON", Map.of("at", 3), "meridian.ingest-0@8", "n", 1000);
        byte[] json = Topics.INGEST_RESULTS.valueSerde().serializer().serialize("t", rejected);
        String text = new String(json, StandardCharsets.UTF_8);
        assertFalse(text.contains("\"epoch\""), text);
        assertFalse(text.contains("\"requestId\""), text);
        IngestResult read = Topics.INGEST_RESULTS.valueSerde().deserializer().deserialize("t", json);
        assertEquals(rejected, read);
        assertEquals("", read.requestId());
        assertEquals(0, read.epoch());
        assertFalse(read.accepted());
    }
}
