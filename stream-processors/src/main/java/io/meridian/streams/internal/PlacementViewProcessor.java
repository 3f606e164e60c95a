package io.meridian.streams.internal;

import io.meridian.infra.model.Placement;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.PlacementViewTopology;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the newest placement per tenant; a placement that cannot be read is logged and skipped. */
public final class PlacementViewProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementViewProcessor.class);

    private final Consumer<Placement> onChange;
    private KeyValueStore<String, Placement> store;

    public PlacementViewProcessor(Consumer<Placement> onChange) {
        this.onChange = onChange;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(PlacementViewTopology.PLACEMENTS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;  // tenants are never deleted; a tombstone here is not ours
        }
        Placement placement;
        try {
            placement = Topics.PLACEMENTS.valueSerde().deserializer().deserialize(Topics.PLACEMENTS.name(), record.value());
        } catch (SerializationException e) {
            LOG.error("skipping unreadable placement for key {}: {}", record.key(), e.getMessage());
            return;
        }
        Placement current = store.get(placement.tenant());
        // Only a newer epoch replaces what we have: replays and late duplicates change nothing.
        if (current == null || placement.epoch() > current.epoch()) {
            store.put(placement.tenant(), placement);
            onChange.accept(placement);
        }
    }
}
