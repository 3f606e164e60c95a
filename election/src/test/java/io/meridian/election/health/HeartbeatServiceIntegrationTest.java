package io.meridian.election.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's heartbeats on real brokers: none until its applier has run (a restarted node must not make its region look
 * healthy while it cannot accept writes), then every interval, through later pauses of the applier.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HeartbeatServiceIntegrationTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);

    @Test
    void shouldStayQuietUntilTheApplierRunsThenBeatThroughItsLaterPauses() {
        TestCluster cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        String nodeId = cluster.uniqueName("beating");
        AtomicBoolean applierRunning = new AtomicBoolean(false);
        try (KafkaConsumer<String, Heartbeat> reader = reader(cluster);
             HeartbeatService heartbeats = new HeartbeatService(config(cluster, nodeId), Map::of, () -> false,
                     applierRunning::get, () -> 0, new SimpleMeterRegistry(), Clock.systemUTC())) {
            heartbeats.start();

            // Ten intervals with the applier not running yet: not one heartbeat of this node.
            assertEquals(0, beatsOf(nodeId, reader, INTERVAL.multipliedBy(10)));

            applierRunning.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> beatsOf(nodeId, reader, INTERVAL) > 0);

            // A rebalance later pauses the applier: the node keeps beating.
            applierRunning.set(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> beatsOf(nodeId, reader, INTERVAL) > 0);
        }
    }

    @Test
    void shouldTimeHeartbeatRoundTripsBetweenRegionsThroughKafka() {
        TestCluster cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        SimpleMeterRegistry east = new SimpleMeterRegistry();
        try (HeartbeatService us = new HeartbeatService(config(cluster, cluster.uniqueName("rtt-east"), "us-east"),
                     Map::of, () -> 0, east, Clock.systemUTC());
             HeartbeatService eu = new HeartbeatService(config(cluster, cluster.uniqueName("rtt-west"), "eu-west"),
                     Map::of, () -> 0, new SimpleMeterRegistry(), Clock.systemUTC())) {
            us.start();
            eu.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> east.get(
                    MetricNames.HEARTBEAT_ROUND_TRIP).tag(MetricNames.TAG_REGION, "eu-west").timer().count() >= 3);
            Timer roundTrips = east.get(MetricNames.HEARTBEAT_ROUND_TRIP).tag(MetricNames.TAG_REGION, "eu-west")
                    .timer();
            assertTrue(roundTrips.max(TimeUnit.MILLISECONDS) < RoundTrips.LIMIT.toMillis(), roundTrips.toString());
            System.out.printf("heartbeat round trips us-east -> eu-west: %d, mean %.1f ms, max %.1f ms%n",
                    roundTrips.count(), roundTrips.mean(TimeUnit.MILLISECONDS), roundTrips.max(TimeUnit.MILLISECONDS));
        }
    }

    private static int beatsOf(String nodeId, KafkaConsumer<String, Heartbeat> reader, Duration during) {
        int beats = 0;
        long end = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, Heartbeat> record : reader.poll(Duration.ofMillis(50))) {
                if (nodeId.equals(record.key())) {
                    beats++;
                }
            }
        }
        return beats;
    }

    private static KafkaConsumer<String, Heartbeat> reader(TestCluster cluster) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, Heartbeat> reader = new KafkaConsumer<>(props, Topics.HEARTBEATS.keySerde().deserializer(),
                Topics.HEARTBEATS.valueSerde().deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        reader.partitionsFor(Topics.HEARTBEATS.name()).forEach(p -> partitions.add(new TopicPartition(p.topic(),
                p.partition())));
        reader.assign(partitions);
        reader.seekToEnd(partitions);
        partitions.forEach(reader::position);  // resolve the end now, before the service starts
        return reader;
    }

    private static MeridianConfig config(TestCluster cluster, String nodeId) {
        return config(cluster, nodeId, "us-east");
    }

    private static MeridianConfig config(TestCluster cluster, String nodeId, String region) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, region);
        values.put(MeridianConfig.NODE_ID, nodeId);
        values.put(MeridianConfig.REGIONS, "us-east=http://127.0.0.1:1,eu-west=http://127.0.0.1:2");
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        values.put(ElectionConfigs.ZOOKEEPER_CONNECT, cluster.zookeeperConnect());
        values.put(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS, INTERVAL.toMillis());
        return new MeridianConfig(values);
    }
}
