package io.meridian.client;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The positions a client has seen, so that its reads, in whatever region serves them, see its own writes (and never
 * go back in time: monotonic reads). For each WAL partition it keeps the highest offset of a write it made or a
 * document it read; a read of a tenant whose partition it knows carries that position as
 * {@code X-Meridian-Min-Position}, and the serving region answers only once it applied it. A tenant's partition is
 * learnt from the first position of the tenant this session sees (a tenant never written or read needs none).
 *
 * <p>Thread-safe. One per {@link MeridianClient} by default; give several clients the same one to share a session.
 */
public final class Session {
    private final Map<Integer, Long> highest = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionOfTenant = new ConcurrentHashMap<>();

    /** Remembers that {@code tenant} was written or read at {@code position}. */
    public void observe(String tenant, Position position) {
        partitionOfTenant.put(tenant, position.partition());
        highest.merge(position.partition(), position.offset(), Math::max);
    }

    /** The position a read of {@code tenant} must wait for, if this session has seen the tenant's partition. */
    public Optional<Position> minPositionFor(String tenant) {
        Integer partition = partitionOfTenant.get(tenant);
        if (partition == null) {
            return Optional.empty();
        }
        return Optional.of(new Position(partition, highest.get(partition)));
    }

    /** The highest offset seen per partition, sorted by partition (a copy). */
    public Map<Integer, Long> positions() {
        return new TreeMap<>(highest);
    }

    @Override
    public String toString() {
        return "Session" + positions();
    }
}
