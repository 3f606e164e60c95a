package io.meridian.router;

import io.meridian.infra.model.WalRecord;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Test-only producer interceptor ({@code interceptor.classes}): a real WAL producer sends every record to the topic
 * named by {@value #TOPIC} instead of {@code meridian.wal}, so a router can meet a real broker's refusal (a topic with
 * a small {@code max.message.bytes}) without touching the WAL every other test shares.
 */
public final class WalTopicRedirect implements ProducerInterceptor<String, WalRecord> {
    /** Producer setting: the topic to send to. */
    static final String TOPIC = "meridian.test.redirect.topic";

    private String topic;

    /** Producer settings that redirect to {@code topic}. */
    static Map<String, Object> to(String topic) {
        return Map.of("interceptor.classes", WalTopicRedirect.class.getName(), TOPIC, topic);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        topic = String.valueOf(configs.get(TOPIC));
    }

    @Override
    public ProducerRecord<String, WalRecord> onSend(ProducerRecord<String, WalRecord> record) {
        return new ProducerRecord<>(topic, record.partition(), record.timestamp(), record.key(), record.value(),
                record.headers());
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }
}
