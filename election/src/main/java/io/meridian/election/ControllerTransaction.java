package io.meridian.election;

import io.meridian.infra.topics.Topic;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The records of one controller transaction ({@link ControllerProducer#inTransaction}). Every record sent through it
 * carries the controller epoch in the header {@value ControllerProducer#EPOCH_HEADER}; put {@link #epoch()} into
 * payloads too where readers need it there. Valid only inside the callback that received it; not thread-safe.
 */
public interface ControllerTransaction {

    /** The controller epoch this producer writes in. */
    long epoch();

    /** Sends {@code value} to {@code topic} (serialized with the catalog's serde) under {@code key}. */
    <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value);

    /** Sends a record serialized by the caller; the epoch header is added (replacing one the caller set). */
    Future<RecordMetadata> send(ProducerRecord<String, byte[]> record);
}
