package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.router.internal.DocumentLimit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class WriteLimitsTest {

    @Test
    void shouldReadTheProducersMaxRequestSizeOrKafkasDefault() {
        assertEquals(1_048_576, WriteLimits.maxRequestSize(Map.of()));
        assertEquals(2_000_000, WriteLimits.maxRequestSize(Map.of("max.request.size", "2000000")));
        assertEquals(3_000_000, WriteLimits.maxRequestSize(Map.of("max.request.size", 3_000_000)));
        ConfigException e = assertThrows(ConfigException.class,
                () -> WriteLimits.maxRequestSize(Map.of("max.request.size", "lots")));
        assertTrue(e.getMessage().contains("kafka.max.request.size"), e.getMessage());
    }

    @Test
    void shouldStopANodeWhoseBodyLimitCannotFitTheWalProducersRequestLimitNamingBothKeysAndValues() {
        // Today's defaults: a 1 MiB body plus the record's envelope is over a 1 MiB request.
        ConfigException e = assertThrows(ConfigException.class, () -> WriteLimits.check(1_048_576, Map.of()));

        assertTrue(e.getMessage().contains("http.max.body.bytes=1048576"), e.getMessage());
        assertTrue(e.getMessage().contains("kafka.max.request.size=1048576"), e.getMessage());
        Matcher advice = Pattern.compile("set http.max.body.bytes to at most (\\d+), or kafka.max.request.size to at"
                + " least (\\d+)").matcher(e.getMessage());
        assertTrue(advice.find(), e.getMessage());
        int body = Integer.parseInt(advice.group(1));
        int request = Integer.parseInt(advice.group(2));
        // Each advice, taken, passes; one byte more of body does not.
        assertDoesNotThrow(() -> WriteLimits.check(body, Map.of()));
        assertThrows(ConfigException.class, () -> WriteLimits.check(body + 1, Map.of()));
        assertDoesNotThrow(() -> WriteLimits.check(1_048_576, Map.of("max.request.size", request)));
        assertDoesNotThrow(() -> WriteLimits.check(1_000_000, Map.of()));
    }

    @Test
    void shouldBoundTheRealRecordOfTheLargestBodyWithTheLongestNames() {
        int bodyBytes = 10_000;
        String body = "\"" + "x".repeat(bodyBytes - 2) + "\"";
        WalRecord.Put put = new WalRecord.Put("t".repeat(63), "k".repeat(512), RawJson.of(TextNode.valueOf(body.substring(1,
                bodyBytes - 1))), Long.MAX_VALUE, "r".repeat(63), Long.MAX_VALUE, "\\".repeat(128),
                DocumentLimit.WIDEST_VERSION, DocumentLimit.WIDEST_VERSION);
        byte[] value = Topics.WAL.valueSerde().serializer().serialize(Topics.WAL.name(), put);
        int kafka = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE.type(), put.tenant().getBytes(), value, new Header[0]);

        assertEquals(kafka, WriteLimits.largestRecordBytes(bodyBytes));
    }
}
