package io.meridian.streams;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.streams.internal.LegacyWriteIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region applier's stores across real restarts on the shared cluster. A node with no local state that takes the
 * tasks over rebuilds the write-id window (buckets and their index) from the changelog through Streams' own restore:
 * a retry of an id accepted before must be a duplicate, and the id with another document refused (the idempotency
 * promise may not depend on which node applies a partition). A node restarted after a clean stop restores nothing:
 * its stores are where it left them.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ApplierRestoreIntegrationTest {
    private static final int WAL_PARTITIONS = 12;

    @TempDir
    Path stateDir;

    @Test
    void shouldKnowAnIdAcceptedBeforeTheTaskWasRestoredOnANodeWithoutState() throws Exception {
        TestCluster cluster = provisioned();
        String region = cluster.uniqueName("restore");
        String tenant = cluster.uniqueName("acme");

        try (KafkaProducer<String, byte[]> wal = walProducer(cluster)) {
            Position first = placeWithOneDocument(wal, tenant, region);

            try (RegionStreams before = start(cluster, region, "node-a", new SimpleMeterRegistry())) {
                awaitDocument(before, tenant, "k", first);
            }

            // Another node, no local state: every store of the task comes back from its changelog.
            try (RegionStreams after = start(cluster, region, "node-b", new SimpleMeterRegistry())) {
                Position retry = send(wal, tenant, put(tenant, region, "k", "{\"v\":1}", 20, "w-1"));
                Position reused = send(wal, tenant, put(tenant, region, "k", "{\"v\":2}", 21, "w-1"));
                Position next = send(wal, tenant, put(tenant, region, "k2", "{\"v\":3}", 22, "w-2"));
                awaitDocument(after, tenant, "k2", next);  // the applier got past the retry and the reuse

                StoredDocument k = after.document(tenant, "k").orElseThrow();
                assertEquals(first.toString(), k.position(),
                        "the retry at " + retry + " and the reuse at " + reused + " were not applied: " + k);
                assertEquals(RawJson.parse("{\"v\":1}"), k.value());
            }
        }
    }

    @Test
    void shouldRestoreNothingWhenANodeRestartsAfterACleanStop() throws Exception {
        TestCluster cluster = provisioned();
        String region = cluster.uniqueName("restart");
        String node = cluster.uniqueName("node");
        String tenant = cluster.uniqueName("acme");

        try (KafkaProducer<String, byte[]> wal = walProducer(cluster)) {
            Position first = placeWithOneDocument(wal, tenant, region);
            try (RegionStreams before = start(cluster, region, node, new SimpleMeterRegistry())) {
                awaitDocument(before, tenant, "k", first);
            }

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (RegionStreams again = start(cluster, region, node, registry)) {
                Position next = send(wal, tenant, put(tenant, region, "k2", "{\"v\":2}", 20, "w-2"));
                awaitDocument(again, tenant, "k2", next);
                assertEquals(first.toString(), again.document(tenant, "k").orElseThrow().position());
                // The placement view is a global store: it catches up with what other tests placed meanwhile.
                Map<String, Double> restored = new TreeMap<>();
                registry.find(MetricNames.APPLIER_RESTORED_RECORDS).counters().stream()
                        .filter(c -> c.count() > 0 && !PlacementViewTopology.PLACEMENTS_STORE.equals(
                                c.getId().getTag(MetricNames.TAG_STORE)))
                        .forEach(c -> restored.put(c.getId().getTag(MetricNames.TAG_STORE), c.count()));
                assertEquals(Map.of(), restored, "records restored into the applier's stores after a clean stop");
            }
        }
    }

    @Test
    void shouldKnowHowFarItAppliedAsSoonAsItOpensAgainWithoutLoggingAPosition() throws Exception {
        TestCluster cluster = provisioned();
        String region = cluster.uniqueName("position");
        String node = cluster.uniqueName("node");
        String tenant = cluster.uniqueName("acme");

        try (KafkaProducer<String, byte[]> wal = walProducer(cluster)) {
            Position first = placeWithOneDocument(wal, tenant, region);
            ApplyTracker before = new ApplyTracker();
            long applied;
            try (RegionStreams streams = start(cluster, region, node, new SimpleMeterRegistry(), before)) {
                awaitDocument(streams, tenant, "k", first);
            } finally {
                applied = before.appliedOffset(first.partition()).orElse(-1);
            }
            assertTrue(applied >= first.offset(), "applied " + applied + " before the restart");

            // The same node on its state, then another node restoring everything: no new record reaches the partition,
            // so only what the last commit carried can tell how far the region is.
            for (String again : List.of(node, cluster.uniqueName("other-node"))) {
                ApplyTracker tracker = new ApplyTracker();
                try (RegionStreams streams = start(cluster, region, again, new SimpleMeterRegistry(), tracker)) {
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                            .until(() -> tracker.appliedOffset(first.partition()).isPresent());
                    assertEquals(applied, tracker.appliedOffset(first.partition()).getAsLong(), again);
                }
            }
        }
        assertEquals(0, records(cluster, RegionStreams.applicationId(region) + "-" + ApplierStores.POSITIONS
                + "-changelog"), "records in the position store's changelog");
    }

    @Test
    void shouldReadTheLegacyWriteIdStoreOnlyWhereAnOlderVersionWroteItsChangelog() throws Exception {
        TestCluster cluster = provisioned();
        assertFalse(LegacyWriteIds.everWritten(cluster.clientConfig(),
                RegionStreams.applicationId(cluster.uniqueName("never"))), "no changelog at all");

        String upgraded = RegionStreams.applicationId(cluster.uniqueName("upgraded"));
        String changelog = LegacyWriteIds.changelog(upgraded);
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(changelog, 2, (short) 3))).all().get();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !LegacyWriteIds.everWritten(cluster.clientConfig(), upgraded));  // created, empty
        try (KafkaProducer<String, byte[]> producer = walProducer(cluster)) {
            producer.send(new ProducerRecord<>(changelog, 1, "acme/w-1", "0-3|d".getBytes())).get();
        }
        assertTrue(LegacyWriteIds.everWritten(cluster.clientConfig(), upgraded), "an older version wrote it");
    }

    private static KafkaProducer<String, byte[]> walProducer(TestCluster cluster) {
        return new KafkaProducer<>(producerProperties(cluster), new StringSerializer(), new ByteArraySerializer());
    }

    /** The tenant's first placement (primary and only replica {@code region}) and its document "k" with id w-1. */
    private static Position placeWithOneDocument(KafkaProducer<String, byte[]> wal, String tenant, String region)
            throws Exception {
        Placement placement = new Placement(tenant, region, List.of(region), 1, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
        send(wal, tenant, new WalRecord.Fence(tenant, placement, 1, "test", 0));
        return send(wal, tenant, put(tenant, region, "k", "{\"v\":1}", 10, "w-1"));
    }

    private static TestCluster provisioned() {
        TestCluster cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(
                            Topics.catalog(WAL_PARTITIONS, (short) 3, 2)));
        }
        return cluster;
    }

    private RegionStreams start(TestCluster cluster, String region, String node, SimpleMeterRegistry registry) {
        return start(cluster, region, node, registry, ApplyListener.NONE);
    }

    private RegionStreams start(TestCluster cluster, String region, String node, SimpleMeterRegistry registry,
                                ApplyListener listener) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, region);
        values.put(MeridianConfig.REGIONS, region + "=http://127.0.0.1:1");
        values.put(MeridianConfig.NODE_ID, node);
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        values.put(MeridianConfig.STATE_DIR, stateDir.resolve(node).toString());
        values.put(MeridianConfig.STREAMS_COMMIT_INTERVAL_MS, "200");
        RegionStreams streams = new RegionStreams(new MeridianConfig(values), listener, registry);
        streams.start();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(streams::isReady);
        return streams;
    }

    private static void awaitDocument(RegionStreams streams, String tenant, String key, Position at) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertTrue(streams.document(tenant, key)
                        .filter(d -> d.position().equals(at.toString())).isPresent(), tenant + "/" + key));
    }

    private static WalRecord.Put put(String tenant, String region, String key, String json, long hlc,
                                     String writeId) {
        return new WalRecord.Put(tenant, key, RawJson.parse(json), 1, region, hlc, writeId);
    }

    private static Position send(KafkaProducer<String, byte[]> wal, String tenant, WalRecord record)
            throws Exception {
        RecordMetadata at = wal.send(new ProducerRecord<>(Topics.WAL.name(),
                WalPartitioner.partitionOf(tenant, WAL_PARTITIONS), tenant, Json.write(record))).get();
        return new Position(at.partition(), at.offset());
    }

    /** Everything ever written to {@code topic}: records and transaction markers (the sum of its end offsets). */
    private static long records(TestCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(ends).all().get().values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    private static Map<String, Object> producerProperties(TestCluster cluster) {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.putAll(WalProducerSettings.durability());
        return props;
    }
}
