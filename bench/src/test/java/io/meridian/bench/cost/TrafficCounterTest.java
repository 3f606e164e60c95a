package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TrafficCounterTest {

    @Test
    void shouldCountKeyValueAndHeaderBytes() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("id", "abc".getBytes(StandardCharsets.UTF_8));
        headers.add("é", null);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 7, 0L, TimestampType.CREATE_TIME, 5, 200,
                new byte[5], new byte[200], headers, Optional.empty());
        // 5 + 200 + ("id" 2 + "abc" 3) + ("é" 2 UTF-8 bytes + no value)
        assertEquals(212, TrafficCounter.payloadBytes(record));
    }

    @Test
    void shouldCountANullKeyOrTombstoneAsNoBytes() {
        ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("t", 0, 7, 0L, TimestampType.CREATE_TIME, -1, -1,
                null, null, new RecordHeaders(), Optional.empty());
        assertEquals(0, TrafficCounter.payloadBytes(tombstone));
    }
}
