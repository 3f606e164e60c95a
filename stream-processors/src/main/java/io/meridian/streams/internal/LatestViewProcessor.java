package io.meridian.streams.internal;

import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, in a global store, one value per key of a compacted topic: a record replaces the stored value when
 * {@code replaces(current, candidate)} holds; a tombstone removes it; an unreadable record is logged and skipped.
 * {@code onChange} hears every value stored (on the global stream thread, also while restoring).
 */
public final class LatestViewProcessor<V> implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(LatestViewProcessor.class);

    private final String storeName;
    private final String topic;
    private final Deserializer<V> deserializer;
    private final BiPredicate<V, V> replaces;
    private final Consumer<V> onChange;
    private KeyValueStore<String, V> store;

    public LatestViewProcessor(String storeName, String topic, Deserializer<V> deserializer,
            BiPredicate<V, V> replaces, Consumer<V> onChange) {
        this.storeName = storeName;
        this.topic = topic;
        this.deserializer = deserializer;
        this.replaces = replaces;
        this.onChange = onChange;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        V value;
        try {
            value = deserializer.deserialize(topic, record.value());
        } catch (SerializationException e) {
            LOG.warn("skipping unreadable record of {} for key {}: {}", topic, record.key(), e.getMessage());
            return;
        }
        V current = store.get(record.key());
        if (current == null || replaces.test(current, value)) {
            store.put(record.key(), value);
            onChange.accept(value);
        }
    }
}
