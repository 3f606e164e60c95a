package io.meridian.infra.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class WalProducerSettingsTest {

    @Test
    void shouldWriteTheWalDurably() {
        Map<String, Object> props = WalProducerSettings.forWrites(
                Map.of("bootstrap.servers", "b:9092", "client.rack", "us-east"), "meridian-wal-n1", Duration.ofSeconds(10));
        assertEquals("all", props.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, props.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("meridian-wal-n1", props.get(ProducerConfig.CLIENT_ID_CONFIG));
        assertEquals("b:9092", props.get("bootstrap.servers"));
        assertFalse(props.containsKey("client.rack"));
    }

    @Test
    void shouldGiveUpSendingWithinTheWriteTimeoutAsKafkaAllows() {
        Map<String, Object> props = WalProducerSettings.forWrites(Map.of(), "w", Duration.ofSeconds(10));
        assertEquals(5_000, props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
        assertEquals(10_000, props.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals(10_000L, props.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        // A tiny timeout still satisfies delivery.timeout.ms >= linger.ms + request.timeout.ms.
        Map<String, Object> tiny = WalProducerSettings.forWrites(Map.of(), "w", Duration.ofMillis(100));
        assertTrue((int) tiny.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
                >= (int) tiny.get(ProducerConfig.LINGER_MS_CONFIG) + (int) tiny.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    }
}
