package io.meridian.infra.regions;

import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.topics.CompactedTopicFollower;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RegionPauses} over {@code meridian.regions}: read whole on {@link #start} and then followed on one thread
 * ("meridian-regions", a {@link CompactedTopicFollower}); an idempotent {@code acks=all} producer publishes changes.
 * {@link #start} returns only once the topic has been read to its end, so a node that restarts while its region is
 * paused knows it before its applier starts. Records that cannot be read are skipped with a warning (they change
 * nothing). Lifecycle: {@link #start} once, {@link #close} idempotent. Thread-safe.
 */
public final class KafkaRegionPauses implements RegionPauses, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRegionPauses.class);

    private final CompactedTopicFollower<RegionPause> follower;
    private final Map<String, RegionPause> intents = new ConcurrentHashMap<>();
    private final List<Consumer<RegionPause>> listeners = new CopyOnWriteArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle("region pauses");

    /** @param clientId a suffix that names this node's clients */
    public KafkaRegionPauses(Map<String, Object> kafkaClientProperties, String clientId) {
        this.follower = new CompactedTopicFollower<>(Topics.REGIONS, kafkaClientProperties, "meridian-regions",
                clientId, this::apply);
    }

    /**
     * Reads {@code meridian.regions} to its end, then follows it in the background.
     *
     * @throws IllegalStateException when called twice, or when the topic cannot be read to its end in
     *                               {@code loadTimeout}: a node must not start its applier not knowing whether its
     *                               region is paused
     */
    public void start(Duration loadTimeout) {
        lifecycle.beginStart();
        follower.start(loadTimeout);
        if (automaticFailover().paused()) {
            LOG.info("automatic failover paused since={} reason='{}' by={}", automaticFailover().sinceMillis(),
                    automaticFailover().reason(), automaticFailover().requestedBy());
        }
        intents.values().stream().filter(RegionPause::paused)
                .filter(p -> !p.region().equals(RegionPause.AUTOMATIC_FAILOVER)).forEach(p -> LOG.info(
                "region={} replication paused since={} reason='{}' by={}", p.region(), p.sinceMillis(), p.reason(),
                p.requestedBy()));
        lifecycle.started();
    }

    @Override
    public RegionPause state(String region) {
        return RegionPauses.stateIn(intents, region);
    }

    @Override
    public Map<String, RegionPause> all() {
        TreeMap<String, RegionPause> regions = new TreeMap<>(intents);
        regions.remove(RegionPause.AUTOMATIC_FAILOVER);
        return Collections.unmodifiableSortedMap(regions);
    }

    @Override
    public CompletableFuture<RegionPause> publish(RegionPause intent) {
        return follower.publish(intent.region(), intent).thenApply(readBack -> intent);
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        return follower.caughtUp();
    }

    @Override
    public void addListener(Consumer<RegionPause> listener) {
        listeners.add(listener);
    }

    private void apply(ConsumerRecord<String, RegionPause> record) {
        RegionPause intent = record.value();
        if (intent == null || !intent.region().equals(record.key())) {
            return;  // tombstones and mismatched keys change nothing
        }
        RegionPause previous = intents.put(intent.region(), intent);
        boolean wasPaused = previous != null && previous.paused();
        if (wasPaused == intent.paused()) {
            return;
        }
        if (lifecycle.hasStarted() && intent.region().equals(RegionPause.AUTOMATIC_FAILOVER)) {
            LOG.info("automatic failover {} reason='{}' by={}", intent.paused() ? "paused" : "resumed",
                    intent.reason(), intent.requestedBy());
        } else if (lifecycle.hasStarted()) {
            LOG.info("region={} replication {} reason='{}' by={}", intent.region(),
                    intent.paused() ? "paused" : "resumed", intent.reason(), intent.requestedBy());
        }
        for (Consumer<RegionPause> listener : listeners) {
            try {
                listener.accept(intent);
            } catch (RuntimeException e) {
                LOG.warn("region pause listener failed for region={}", intent.region(), e);
            }
        }
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        follower.close();
        lifecycle.closed();
    }
}
