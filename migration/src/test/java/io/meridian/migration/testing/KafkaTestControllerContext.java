package io.meridian.migration.testing;

import io.meridian.election.ControllerProducer;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.controller.ControllerContext;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A controller context on real Kafka, for integration tests: a real {@link ControllerProducer} (placement + fence +
 * events in one transaction, as the node's controller does), a placement view read with a {@code read_committed}
 * consumer from {@code meridian.placements}, a hand-fed health snapshot, and its own single "duties" thread that
 * {@link #runSoon} and {@link #onDuties} use. {@link #close()} stops it all.
 */
public final class KafkaTestControllerContext implements ControllerContext, AutoCloseable {
    private final ControllerProducer producer;
    private final Map<String, Object> clientConfig;
    private final int walPartitions;
    private final HybridLogicalClock hlc;
    private final ScheduledExecutorService duties;
    private final Map<String, RegionStatus> regions = new ConcurrentHashMap<>();
    private final Map<String, Placement> view = new HashMap<>();
    private KafkaConsumer<String, byte[]> placements;

    public KafkaTestControllerContext(Map<String, Object> clientConfig, String transactionalId, long epoch,
                                      int walPartitions, Clock clock) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.walPartitions = walPartitions;
        this.hlc = new HybridLogicalClock(clock);
        this.duties = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "it-duties-" + epoch));
        this.producer = new ControllerProducer(clientConfig, transactionalId, epoch, () -> true,
                Duration.ofSeconds(60), (e, cause) -> { });
    }

    public ScheduledExecutorService duties() {
        return duties;
    }

    /** Runs {@code task} on the duties thread and waits for it. */
    public <T> T onDuties(java.util.concurrent.Callable<T> task) {
        try {
            return duties.submit(task).get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the duties thread did not answer", e);
        }
    }

    public void region(String region, RegionHealth health, Map<Integer, Long> applied) {
        regions.put(region, new RegionStatus(region, health, 0, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                Set.of(region + "-1"), applied, Map.of()));
    }

    public void applied(String region, int partition, long offset) {
        RegionStatus s = regions.get(region);
        Map<Integer, Long> applied = new TreeMap<>(s.appliedOffsets());
        applied.put(partition, offset);
        region(region, s.state(), applied);
    }

    @Override
    public long epoch() {
        return producer.epoch();
    }

    @Override
    public List<Placement> placements() {
        catchUp();
        return List.copyOf(view.values());
    }

    @Override
    public Optional<Placement> placement(String tenant) {
        catchUp();
        return Optional.ofNullable(view.get(tenant));
    }

    /** Reads meridian.placements (read_committed) up to its end: a view that follows committed placements. */
    private void catchUp() {
        if (placements == null) {
            Map<String, Object> props = new HashMap<>(clientConfig);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            placements = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = placements.partitionsFor(Topics.PLACEMENTS.name(), Duration.ofSeconds(30))
                    .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            placements.assign(parts);
            placements.seekToBeginning(parts);
        }
        Map<TopicPartition, Long> end = placements.endOffsets(placements.assignment(), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (end.entrySet().stream().anyMatch(e -> placements.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("placements not read to " + end);
            }
            for (ConsumerRecord<String, byte[]> r : placements.poll(Duration.ofMillis(100))) {
                Placement p = Topics.PLACEMENTS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (p != null) {
                    view.put(r.key(), p);
                }
            }
        }
    }

    @Override
    public HealthSnapshot health() {
        return HealthSnapshot.of(System.currentTimeMillis(), regions.values());
    }

    @Override
    public int walPartition(String tenant) {
        return WalPartitioner.partitionOf(tenant, walPartitions);
    }

    @Override
    public Position publishPlacement(Placement placement, String reason,
                                     Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        WalRecord.Fence fence = new WalRecord.Fence(placement.tenant(), placement, producer.epoch(), reason, hlc.now());
        RecordMetadata[] at = new RecordMetadata[1];
        producer.inTransaction(tx -> {
            tx.send(Topics.PLACEMENTS, placement.tenant(), placement);
            try {
                at[0] = tx.send(Topics.WAL, placement.tenant(), fence).get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("fence not written: " + e, e);
            }
            alsoWrite.apply(new Position(at[0].partition(), at[0].offset())).accept(tx);
        });
        return new Position(at[0].partition(), at[0].offset());
    }

    @Override
    public void inTransaction(Consumer<ControllerTransaction> body) {
        producer.inTransaction(body);
    }

    @Override
    public void runSoon(Runnable task) {
        duties.execute(task);
    }

    @Override
    public void close() {
        onDuties(() -> {
            if (placements != null) {
                placements.close(Duration.ofSeconds(5));
            }
            return null;
        });
        duties.shutdownNow();
        producer.close();
    }
}
