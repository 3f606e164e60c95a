package io.meridian.infra.regions;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RegionPauses} over {@code meridian.regions}: a consumer without a group reads the whole (compacted) topic on
 * {@link #start} and then follows it on one thread ("meridian-regions"); an idempotent {@code acks=all} producer
 * publishes changes. {@link #start} returns only once the topic has been read to its end, so a node that restarts
 * while its region is paused knows it before its applier starts. Records that cannot be read are skipped with a
 * warning (they change nothing). Lifecycle: {@link #start} once, {@link #close} idempotent. Thread-safe.
 */
public final class KafkaRegionPauses implements RegionPauses, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaRegionPauses.class);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.REGIONS.name(), 0);

    private final KafkaConsumer<String, RegionPause> consumer;
    private final KafkaProducer<String, RegionPause> producer;
    /** Asks for the topic's end offset on behalf of {@link #caughtUp} (the consumer belongs to the reader thread). */
    private final Admin admin;
    private final Map<String, RegionPause> intents = new ConcurrentHashMap<>();
    private final List<Consumer<RegionPause>> listeners = new CopyOnWriteArrayList<>();
    /** Publications waiting to be read back: offset → future. Guarded by itself. */
    private final SortedMap<Long, List<CompletableFuture<Void>>> readBack = new TreeMap<>();
    private final Lifecycle lifecycle = new Lifecycle("region pauses");
    private final Thread thread;
    private volatile long position;

    /** @param clientId a suffix that names this node's clients */
    public KafkaRegionPauses(Map<String, Object> kafkaClientProperties, String clientId) {
        Map<String, Object> consumerProps = new HashMap<>(kafkaClientProperties);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-regions-reader-" + clientId);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(consumerProps, Topics.REGIONS.keySerde().deserializer(),
                Topics.REGIONS.valueSerde().deserializer());
        Map<String, Object> producerProps = new HashMap<>(kafkaClientProperties);
        producerProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-regions-" + clientId);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(producerProps, Topics.REGIONS.keySerde().serializer(),
                Topics.REGIONS.valueSerde().serializer());
        Map<String, Object> adminProps = new HashMap<>(kafkaClientProperties);
        adminProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "meridian-regions-admin-" + clientId);
        this.admin = Admin.create(adminProps);
        this.thread = NamedThreads.thread("meridian-regions", this::run);
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
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
        long end = consumer.endOffsets(List.of(PARTITION), loadTimeout).get(PARTITION);
        long deadline = System.nanoTime() + loadTimeout.toNanos();
        while (consumer.position(PARTITION, loadTimeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + Topics.REGIONS.name() + " to its end offset "
                        + end + " within " + loadTimeout.toMillis() + " ms");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(this::apply);
        }
        position = consumer.position(PARTITION);
        if (automaticFailover().paused()) {
            LOG.info("automatic failover paused since={} reason='{}' by={}", automaticFailover().sinceMillis(),
                    automaticFailover().reason(), automaticFailover().requestedBy());
        }
        intents.values().stream().filter(RegionPause::paused)
                .filter(p -> !p.region().equals(RegionPause.AUTOMATIC_FAILOVER)).forEach(p -> LOG.info(
                "region={} replication paused since={} reason='{}' by={}", p.region(), p.sinceMillis(), p.reason(),
                p.requestedBy()));
        thread.start();
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
        CompletableFuture<RegionPause> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.REGIONS.name(), intent.region(), intent), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                    return;
                }
                readUpTo(metadata.offset()).thenRun(() -> done.complete(intent));
            });
        } catch (KafkaException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest())).partitionResult(PARTITION)
                .whenComplete((end, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        readUpTo(end.offset() - 1).thenRun(() -> done.complete(null));
                    }
                });
        return done;
    }

    /** Completes once the reader has applied the record at {@code offset} (at once for an offset already read). */
    private CompletableFuture<Void> readUpTo(long offset) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        synchronized (readBack) {
            if (position > offset) {
                seen.complete(null);
            } else {
                readBack.computeIfAbsent(offset, o -> new ArrayList<>()).add(seen);
            }
        }
        return seen;
    }

    @Override
    public void addListener(Consumer<RegionPause> listener) {
        listeners.add(listener);
    }

    private void run() {
        while (!lifecycle.isClosing()) {
            try {
                for (ConsumerRecord<String, RegionPause> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                position = consumer.position(PARTITION);
                completeReadBack();
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (lifecycle.isClosing()) {
                    return;
                }
                // A record that cannot be deserialized stops the partition: skip it, it changes nothing.
                if (e instanceof org.apache.kafka.common.errors.RecordDeserializationException bad) {
                    LOG.warn("skipping unreadable record {}:{} of {}: {}", bad.topicPartition(), bad.offset(),
                            Topics.REGIONS.name(), e.toString());
                    consumer.seek(bad.topicPartition(), bad.offset() + 1);
                    continue;
                }
                LOG.warn("reading {}: {}", Topics.REGIONS.name(), e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void completeReadBack() {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (readBack) {
            Iterator<Map.Entry<Long, List<CompletableFuture<Void>>>> it = readBack.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, List<CompletableFuture<Void>>> entry = it.next();
                if (entry.getKey() >= position) {
                    break;
                }
                due.addAll(entry.getValue());
                it.remove();
            }
        }
        due.forEach(f -> f.complete(null));
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
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
        lifecycle.closed();
    }
}
