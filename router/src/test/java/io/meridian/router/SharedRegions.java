package io.meridian.router;

import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.RegionStreams;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka side of the region nodes the router tests of this JVM run on: the {@link SharedTestCluster} with Meridian's
 * topics, and per region one real {@link RegionStreams} (the exactly-once region applier and the placement view) with
 * the {@link ApplyTracker} it reports to, started on first use and closed when the JVM ends. Starting a region applier
 * costs seconds, so test classes share them; each test uses its own tenants ({@link #tenant}). The controller's side is
 * {@link #controllerLog()}: one transactional producer that writes placements and fences as the controller does.
 *
 * <p>Every router test of a region must use these streams: a second applier of the same region would join the same
 * consumer group and take half of the WAL partitions away. Thread-safe.
 */
final class SharedRegions {
    /** The controller epoch every fence of this JVM carries (appliers ignore fences of an older controller). */
    static final long CONTROLLER_EPOCH = 3;
    /** Partitions of meridian.wal, as provisioned. */
    static final int WAL_PARTITIONS = 12;

    /** One region's applier and view, and the tracker its verdicts and positions go to. */
    record Region(String name, RegionStreams streams, ApplyTracker tracker) {
    }

    private static final Map<String, Region> REGIONS = new ConcurrentHashMap<>();
    private static TestCluster cluster;
    private static Path stateDir;
    private static ControllerLog controllerLog;

    private SharedRegions() {
    }

    /** The shared cluster, with every Meridian topic provisioned. */
    static synchronized TestCluster cluster() {
        if (cluster == null) {
            TestCluster c = SharedTestCluster.get();
            try (Admin admin = c.admin()) {
                new TopicProvisioner(admin).provision(Topics.catalog(WAL_PARTITIONS, (short) 3, 2));
            }
            try {
                stateDir = Files.createTempDirectory("meridian-router-tests-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cluster = c;
            Runtime.getRuntime().addShutdownHook(new Thread(SharedRegions::closeAll, "router-tests-regions-close"));
        }
        return cluster;
    }

    /** {@code region}'s applier and placement view, started (and RUNNING) on first use. */
    static Region region(String region) {
        TestCluster c = cluster();
        Region started;
        synchronized (SharedRegions.class) {
            started = REGIONS.get(region);
            if (started == null) {
                ApplyTracker tracker = new ApplyTracker();
                RegionStreams streams = new RegionStreams(streamsConfig(c, region), tracker,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                streams.start();
                started = new Region(region, streams, tracker);
                REGIONS.put(region, started);
            }
        }
        awaitUntil(Duration.ofMinutes(2), started.streams()::isReady, "the applier of " + region + " to run");
        return started;
    }

    /** A region's applier that was never started: its stores are not queryable, as while a node starts. */
    static RegionStreams unstarted(String region) {
        return new RegionStreams(streamsConfig(cluster(), region, cluster().uniqueName(region + "-starting")),
                new ApplyTracker(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private static MeridianConfig streamsConfig(TestCluster c, String region) {
        return streamsConfig(c, region, region + "-router-tests");
    }

    private static MeridianConfig streamsConfig(TestCluster c, String region, String nodeId) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, region);
        values.put(MeridianConfig.NODE_ID, nodeId);
        values.put(MeridianConfig.REGIONS, RouterHarness.regionsSetting());
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, c.bootstrapServers());
        values.put(MeridianConfig.STATE_DIR, stateDir.resolve(nodeId).toString());
        values.put(MeridianConfig.STREAMS_COMMIT_INTERVAL_MS, "200");
        return new MeridianConfig(values);
    }

    /** The controller's transactional producer of placements and fences. */
    static synchronized ControllerLog controllerLog() {
        if (controllerLog == null) {
            TestCluster c = cluster();
            controllerLog = new ControllerLog(c.clientConfig(), c.uniqueName("router-tests-controller"),
                    CONTROLLER_EPOCH, Duration.ofSeconds(30));
        }
        return controllerLog;
    }

    /** A tenant name no other test uses: {@code prefix} and a random suffix. */
    static String tenant(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits until {@code region}'s placement view shows {@code placement}'s epoch (or a later one) of its tenant. */
    static void awaitVisible(String region, Placement placement) {
        RegionStreams streams = region(region).streams();
        awaitUntil(Duration.ofSeconds(30), () -> streams.placement(placement.tenant())
                .filter(p -> p.epoch() >= placement.epoch()).isPresent(),
                "region " + region + " to show epoch " + placement.epoch() + " of " + placement.tenant());
    }

    /**
     * Every record of {@code tenant} in the WAL, committed, in log order: what the routers and the controller
     * produced, read back from Kafka.
     */
    static List<WalRecord> walRecords(String tenant) {
        return walEntries(tenant).stream().map(WalEntry::record).toList();
    }

    /** One WAL record and where it is. */
    record WalEntry(Position position, WalRecord record) {
    }

    /** Every record of {@code tenant} in the WAL with its position, committed, in log order. */
    static List<WalEntry> walEntries(String tenant) {
        TopicPartition partition = new TopicPartition(Topics.WAL.name(),
                WalPartitioner.partitionOf(tenant, WAL_PARTITIONS));
        Map<String, Object> props = new HashMap<>(cluster().clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<WalEntry> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            Instant deadline = Instant.now().plusSeconds(30);
            while (consumer.position(partition) < end) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("WAL partition " + partition + " not read to " + end);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenant.equals(record.key()) && record.value() != null) {
                        records.add(new WalEntry(new Position(record.partition(), record.offset()),
                                Topics.WAL.valueSerde().deserializer().deserialize(record.topic(), record.value())));
                    }
                }
            }
        }
        return records;
    }

    /** The data records (puts and deletes) of {@code tenant} in the WAL, in log order. */
    static List<WalRecord.DataRecord> dataRecords(String tenant) {
        return walRecords(tenant).stream().filter(r -> r instanceof WalRecord.DataRecord)
                .map(r -> (WalRecord.DataRecord) r).toList();
    }

    /** The region's view of {@code tenant}, if it shows one. */
    static Optional<Placement> placement(String region, String tenant) {
        return region(region).streams().placement(tenant);
    }

    static void awaitUntil(Duration atMost, java.util.function.BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(atMost);
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not queryable yet: keep polling
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + atMost + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    /** At JVM exit: close the appliers (leaving their groups) and the producer, without holding the exit up long. */
    private static void closeAll() {
        Thread closer = new Thread(() -> {
            REGIONS.values().forEach(r -> r.streams().close());
            synchronized (SharedRegions.class) {
                if (controllerLog != null) {
                    controllerLog.close();
                }
            }
        }, "router-tests-regions-closer");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
