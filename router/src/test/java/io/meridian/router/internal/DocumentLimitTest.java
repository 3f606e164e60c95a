package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class DocumentLimitTest {
    private static final String WRITE_ID = "0b7e5b3c-2f44-4c5e-9d0a-2b1f3f6f8a11";

    /** What KafkaProducer itself computes before comparing with max.request.size. */
    private static int kafkaCount(byte[] key, byte[] value) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE.type(), key, value, new Header[0]);
    }

    private static WalRecord.Put put(JsonNode value, long epoch, long hlc) {
        return new WalRecord.Put("acme", "user-1", RawJson.of(value), epoch, "us-east", hlc, WRITE_ID);
    }

    /** The record as the check counts it: epoch, hlc, base and If-Match versions at their widest. */
    private static WalRecord.Put widest(JsonNode value) {
        return new WalRecord.Put("acme", "user-1", RawJson.of(value), Long.MAX_VALUE, "us-east", Long.MAX_VALUE, WRITE_ID,
                DocumentLimit.WIDEST_VERSION, DocumentLimit.WIDEST_VERSION);
    }

    @Test
    void shouldCountTheBytesAsKafkaDoes() {
        for (int keyBytes : new int[] {1, 63}) {
            for (int valueBytes : new int[] {0, 63, 64, 8191, 8192, 1_048_575, 1_048_576, 3_000_000}) {
                assertEquals(kafkaCount(new byte[keyBytes], new byte[valueBytes]),
                        DocumentLimit.kafkaBytes(keyBytes, valueBytes), keyBytes + "/" + valueBytes);
            }
        }
        WalRecord.Put record = put(TextNode.valueOf("caf\u00e9 \"x\" " + "y".repeat(5000)), 3, 1_700_000_000_000L);
        byte[] serialized = Topics.WAL.valueSerde().serializer().serialize(Topics.WAL.name(), record);
        assertEquals(kafkaCount("acme".getBytes(StandardCharsets.UTF_8), serialized),
                DocumentLimit.recordBytes(record));
    }

    @Test
    void shouldRefuseExactlyTheDocumentsWhoseRecordIsOverTheLimit() {
        int limit = 2_000;
        long fixed = DocumentLimit.recordBytes(widest(TextNode.valueOf("")));
        TextNode fits = TextNode.valueOf("x".repeat((int) (limit - fixed)));
        TextNode over = TextNode.valueOf("x".repeat((int) (limit - fixed) + 1));
        DocumentLimit documentLimit = new DocumentLimit("us-east", limit);

        documentLimit.check("acme", "user-1", RawJson.of(fits), WRITE_ID);
        ApiException e = assertThrows(ApiException.class, () -> documentLimit.check("acme", "user-1", RawJson.of(over), WRITE_ID));

        assertEquals(ErrorCode.DOCUMENT_TOO_LARGE, e.code());
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("over the limit of 2000 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("kafka.max.request.size"), e.getMessage());
        // The real record is never larger than what was checked, whatever versions it carries.
        assertTrue(DocumentLimit.recordBytes(put(fits, 1, System.currentTimeMillis() << 16)) <= limit);
        assertTrue(DocumentLimit.recordBytes(new WalRecord.Put("acme", "user-1", RawJson.of(fits), 1, "us-east",
                System.currentTimeMillis() << 16, WRITE_ID, "11:123456789", WalRecord.ABSENT)) <= limit);
    }

    @Test
    void shouldRefuseTheBodyOfTheIssueThatGot503() {
        // A 1,048,408-byte body made a WAL record of 1,048,655 bytes, over the default 1,048,576.
        TextNode body = TextNode.valueOf("x".repeat(1_048_408 - 2));
        ApiException e = assertThrows(ApiException.class,
                () -> new DocumentLimit("us-east", 1_048_576).check("acme", "user-1", RawJson.of(body), WRITE_ID));
        assertEquals(ErrorCode.DOCUMENT_TOO_LARGE, e.code());
    }

    @Test
    void shouldNeverSkipTheCountOfABodyThatGrowsPastTheLimitWhenWrittenAgain() {
        String[] bodies = {
                "[" + "1e6,".repeat(400) + "1e6]",                  // 1e6 comes back as 1000000.0
                "[" + "-1e6,".repeat(400) + "0]",
                "[" + "1e-4,".repeat(400) + "0]",                    // 1.0E-4
                "{\"a\":\"" + "\\u00e9".repeat(300) + "\"}",       // escapes shrink
                "[" + "1,".repeat(700) + "2]",
                "{\n  \"k\" :  [ 1 , 2 ,  3 ]\n}"};
        for (String body : bodies) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            JsonNode value = RequestParsing.document(bytes);
            long exact = DocumentLimit.recordBytes(widest(value));
            DocumentLimit tooSmall = new DocumentLimit("us-east", (int) exact - 1);
            ApiException e = assertThrows(ApiException.class,
                    () -> tooSmall.check("acme", "user-1", RawJson.of(value), WRITE_ID, bytes.length), body);
            assertEquals(ErrorCode.DOCUMENT_TOO_LARGE, e.code());
            new DocumentLimit("us-east", (int) exact).check("acme", "user-1", RawJson.of(value), WRITE_ID,
                    bytes.length);
        }
    }
}
