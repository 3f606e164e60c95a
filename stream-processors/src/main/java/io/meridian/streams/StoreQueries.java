package io.meridian.streams;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
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
}
