package io.meridian.streams;

import io.meridian.infra.model.Placement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Interactive queries on the string-keyed stores of a running {@link KafkaStreams}, for the apps of this package. */
final class StoreQueries {

    private StoreQueries() {
    }

    /**
     * Runs {@code query} on the key-value store {@code name}; a {@code null} answer is empty.
     *
     * @throws NotReadyException when the store is not queryable (now, or midway: a rebalance)
     */
    static <V, R> Optional<R> query(KafkaStreams streams, String name, Function<ReadOnlyKeyValueStore<String, V>, R> query) {
        try {
            ReadOnlyKeyValueStore<String, V> store =
                    streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
            return Optional.ofNullable(query.apply(store));
        } catch (InvalidStateStoreException e) {
            throw new NotReadyException("store " + name + " is not queryable now (" + streams.state() + ")",
                    e);
        }
    }

    /**
     * Runs {@code query} on partition {@code partition} of the key-value store {@code name} only; a {@code null}
     * answer is empty.
     *
     * @throws NotReadyException when that partition is not queryable here (not owned by this node, restoring, or
     *                           the app is starting or rebalancing)
     */
    static <V, R> Optional<R> query(KafkaStreams streams, String name, int partition,
                                    Function<ReadOnlyKeyValueStore<String, V>, R> query) {
        try {
            ReadOnlyKeyValueStore<String, V> store = streams.store(StoreQueryParameters
                    .fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition));
            return Optional.ofNullable(query.apply(store));
        } catch (InvalidStateStoreException e) {
            throw new NotReadyException("partition " + partition + " of store " + name + " is not queryable on this"
                    + " node now (" + streams.state() + ")", e);
        }
    }

    /** Every entry of {@code store}, sorted by key, unmodifiable. */
    static <V> Map<String, V> all(ReadOnlyKeyValueStore<String, V> store) {
        Map<String, V> all = new TreeMap<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(kv -> all.put(kv.key, kv.value));
        }
        return Collections.unmodifiableMap(all);
    }

    /** See {@link RegionStreams#placements(String, int, int, Predicate)}. */
    static PlacementPage page(ReadOnlyKeyValueStore<String, Placement> store, String after, int limit, int scanBudget,
                              Predicate<Placement> filter) {
        List<Placement> page = new ArrayList<>(Math.min(limit, 1_024));
        // The smallest key above 'after': tenant ids never hold U+0000.
        String from = after == null ? null : after + "\u0000";
        String last = null;
        int scanned = 0;
        try (KeyValueIterator<String, Placement> it = store.range(from, null)) {
            while (it.hasNext()) {
                if (page.size() == limit || scanned == scanBudget) {
                    return new PlacementPage(page, Optional.ofNullable(last));
                }
                KeyValue<String, Placement> next = it.next();
                scanned++;
                last = next.key;
                if (next.value != null && filter.test(next.value)) {
                    page.add(next.value);
                }
            }
        }
        return new PlacementPage(page, Optional.empty());
    }
}
