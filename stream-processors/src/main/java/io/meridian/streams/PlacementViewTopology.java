package io.meridian.streams;

import io.meridian.infra.model.Placement;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.internal.PlacementViewProcessor;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The placement view: every node materializes all of {@code meridian.placements} in a global store and tells
 * {@code onChange} about each change, so that the router's cache drops the tenant at once.
 */
public final class PlacementViewTopology {
    /** tenant → latest {@link Placement}. */
    public static final String PLACEMENTS_STORE = "placements";

    private PlacementViewTopology() {
    }

    public static Topology build(Topology topology, Consumer<Placement> onChange) {
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PLACEMENTS_STORE),
                        Serdes.String(), Topics.PLACEMENTS.valueSerde()).withLoggingDisabled(),
                "placements-source", new StringDeserializer(), new ByteArrayDeserializer(), Topics.PLACEMENTS.name(),
                "placements-view", () -> new PlacementViewProcessor(onChange));
        return topology;
    }
}
