package io.meridian.streams.lag;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.RawJson;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.ReplicationLag.PartitionLag;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.streams.ReplicationMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link ReplicationMonitor} on the shared real cluster: WAL records and heartbeats of two regions (with names of
 * their own, so other tests' heartbeats cannot interfere) in, lag per region, WAL totals, conflict statistics, WAL
 * size and end offsets out, through the real repartition topics and global stores.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReplicationMonitorIntegrationTest {
    private static final int PARTITION = 3;

    @TempDir
    Path stateDir;

    @Test
    void shouldReadLagAsUnknownWhileTheMonitorDoesNotRunYet() {
        // A node starts its monitor last; until it runs, lag is unknown (no entry), not an error for every reader.
        try (ReplicationMonitor monitor = new ReplicationMonitor(config(SharedTestCluster.get(), "us-east", "eu-west"),
                new SimpleMeterRegistry())) {
            assertEquals(Map.of(), monitor.lagByRegion());
        }
    }

    @Test
    void shouldReportLagPerRegionWalTotalsConflictsAndWalSizeFromARealCluster() throws ExecutionException,
            InterruptedException {
        TestCluster cluster = SharedTestCluster.get();
        long head;
        try (Admin admin = cluster.admin()) {
            // Verifying right after creating can meet brokers that do not know the new topics yet: try again.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        String behind = cluster.uniqueName("behind");
        String current = cluster.uniqueName("current");
        long now = System.currentTimeMillis();

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(cluster),
                new StringSerializer(), new ByteArraySerializer())) {
            // Five records, one second apart in WAL time, the newest now.
            for (int i = 0; i < 5; i++) {
                WalRecord put = new WalRecord.Put("acme", "k" + i, RawJson.parse("{\"n\":1}"), 1, behind, 0, "w" + i);
                producer.send(new ProducerRecord<>(Topics.WAL.name(), PARTITION, now - (4 - i) * 1000L, "acme",
                        Json.write(put))).get();
            }
            head = endOffset(cluster, PARTITION) - 1;
            // `behind` has applied all but the last three, `current` all.
            producer.send(heartbeat(behind + "-1", behind, head - 3, now)).get();
            producer.send(heartbeat(current + "-1", current, head, now)).get();
            // One conflict, reported by both regions.
            for (String region : new String[] {behind, current}) {
                ConflictRecord conflict = new ConflictRecord("acme", "k1", PARTITION + ":" + (head - 3), 1, 2, behind,
                        region, ConflictStrategy.REJECT, ConflictRecord.Resolution.REJECTED, "stale epoch", now);
                producer.send(new ProducerRecord<>(Topics.CONFLICTS.name(), null, now, "acme", Json.write(conflict)))
                        .get();
            }
        }

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeridianConfig config = config(cluster, behind, current);
        try (ReplicationMonitor monitor = new ReplicationMonitor(config, registry,
                Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC))) {
            // Registered before anything is known, NaN meanwhile.
            assertTrue(Double.isNaN(registry.get(MetricNames.REPLICATION_LAG_ENTRIES)
                    .tag(MetricNames.TAG_REGION, behind).gauge().value()));
            monitor.start();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertTrue(monitor.isReady(), "state " + monitor.state());
                assertEquals(Optional.of(new PartitionLag(PARTITION, head, head - 3, 3, 2.0)),
                        partition(monitor.lagByRegion().get(behind)));
                assertEquals(Optional.of(new PartitionLag(PARTITION, head, head, 0, 0.0)),
                        partition(monitor.lagByRegion().get(current)));
                assertTrue(monitor.walSizeBytes() > 0, "WAL size " + monitor.walSizeBytes());
            });

            assertTrue(monitor.walStats().orElseThrow().entries() >= 5);
            assertEquals(head + 1, monitor.walEndOffsets().get(PARTITION));
            assertEquals(monitor.lagByRegion().get(behind).totalLagEntries(), registry.get(
                    MetricNames.REPLICATION_LAG_ENTRIES).tag(MetricNames.TAG_REGION, behind).gauge().value());
            assertTrue(registry.get(MetricNames.REPLICATION_ENTRIES).functionCounter().count() >= 5);
            assertTrue(registry.get(MetricNames.WAL_SIZE_BYTES).gauge().value() > 0);
            // The brokers' health over Meridian's topics and the WAL's retention, from the same probe.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                var kafka = monitor.clusterHealth().orElseThrow();
                assertTrue(!kafka.onlineBrokers().isEmpty() && kafka.offlineBrokers().isEmpty(), kafka.toString());
                assertEquals(0, kafka.offlinePartitions(), kafka.toString());
                assertTrue(monitor.walRetentionMillis() > 0, "retention " + monitor.walRetentionMillis());
            });
            assertEquals(0.0, registry.get(MetricNames.KAFKA_BROKERS_OFFLINE).gauge().value());
            assertTrue(registry.get(MetricNames.KAFKA_BROKERS_ONLINE).gauge().value() >= 1);
            assertTrue(registry.get(MetricNames.WAL_RETENTION_SECONDS).gauge().value() > 0);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertEquals(Map.of("lww", 0L, "merge", 0L, "reject", 1L), monitor.conflictsLastMinuteByStrategy()));
        }
        assertTrue(registry.find(MetricNames.REPLICATION_LAG_ENTRIES).gauges().isEmpty(), "meters removed on close");
    }

    private static Optional<PartitionLag> partition(ReplicationLag lag) {
        return lag == null ? Optional.empty()
                : lag.partitions().stream().filter(p -> p.partition() == PARTITION).findFirst();
    }

    private static ProducerRecord<String, byte[]> heartbeat(String node, String region, long applied, long now) {
        Heartbeat heartbeat = new Heartbeat(node, region, "http://127.0.0.1:1", Map.of(PARTITION, applied), Set.of(),
                now, 1);
        return new ProducerRecord<>(Topics.HEARTBEATS.name(), node, Json.write(heartbeat));
    }

    private MeridianConfig config(TestCluster cluster, String region, String other) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, region);
        values.put(MeridianConfig.REGIONS, region + "=http://127.0.0.1:1," + other + "=http://127.0.0.1:2");
        values.put(MeridianConfig.NODE_ID, cluster.uniqueName("monitor"));
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        values.put(MeridianConfig.STATE_DIR, stateDir.toString());
        return new MeridianConfig(values);
    }

    private static Map<String, Object> producerProperties(TestCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.putAll(WalProducerSettings.durability());
        return props;
    }

    private static long endOffset(TestCluster cluster, int partition) throws ExecutionException,
            InterruptedException {
        TopicPartition tp = new TopicPartition(Topics.WAL.name(), partition);
        try (Admin admin = cluster.admin()) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        }
    }
}
