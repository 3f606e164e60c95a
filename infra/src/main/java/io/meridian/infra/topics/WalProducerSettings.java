package io.meridian.infra.topics;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How {@link Topics#WAL} is written: the durability behind "acknowledged means accepted" (acks from
 * {@code min.insync.replicas} brokers, each record once), in one place for every WAL producer.
 */
public final class WalProducerSettings {

    private WalProducerSettings() {
    }

    /** acks=all and idempotence: an acknowledged record is on min.insync.replicas brokers, written once. */
    public static Map<String, Object> durability() {
        return Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    /**
     * The router's WAL producer: {@link #durability}, a 1 ms linger, and timeouts that fit a write's wait for its
     * verdict.
     *
     * @param clientProperties the node's Kafka client properties ({@code client.rack}, a consumer setting, is dropped)
     * @param writeTimeout     how long a write may wait to be applied; the producer gives up sending within it
     */
    public static Map<String, Object> forWrites(Map<String, Object> clientProperties, String clientId,
                                                Duration writeTimeout) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(durability());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        long timeout = writeTimeout.toMillis();
        int requestTimeout = (int) Math.min(30_000, Math.max(500, timeout / 2));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout, requestTimeout + 1));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        return props;
    }
}
