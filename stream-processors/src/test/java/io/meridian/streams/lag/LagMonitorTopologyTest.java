package io.meridian.streams.lag;

import static io.meridian.streams.lag.LagMonitorDriver.WAL_START_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.ReplicationLag.PartitionLag;
import io.meridian.infra.model.WalStats;
import io.meridian.streams.LagMonitorTopology;
import io.meridian.streams.internal.LagCalculator;
import io.meridian.streams.internal.WalHead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication lag from WAL heads and heartbeats, through the whole lag-monitor topology (WAL head task, the
 * single-partition repartition, the lag task, the output topic and the global view). WAL records are one second
 * apart in WAL time, so lag seconds are whole numbers.
 */
class LagMonitorTopologyTest {
    private static final Duration HEAD_FORWARD = Duration.ofMillis(500);
    private static final Duration EMIT = Duration.ofSeconds(2);

    @TempDir
    Path stateDir;

    private LagMonitorDriver monitor;

    @BeforeEach
    void start() {
        monitor = new LagMonitorDriver(stateDir);
    }

    @AfterEach
    void stop() {
        monitor.close();
    }

    @Test
    void shouldReportLagEntriesAndSecondsOfARegionBehind() {
        monitor.walRecords(10, WAL_START_MS);  // offsets 0..9 at +0 s .. +9 s
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 3L));

        ReplicationLag lag = monitor.latestLag("eu-west");
        // First record not applied: offset 4, written at +4 s; head at +9 s.
        assertEquals(List.of(new PartitionLag(0, 9, 3, 6, 5.0)), lag.partitions());
        assertEquals(6, lag.totalLagEntries());
        assertEquals(5.0, lag.maxLagSeconds());
        assertEquals(monitor.wallMillis(), lag.lastHeartbeatMillis());
        assertEquals(monitor.wallMillis(), lag.computedAtMillis());
    }

    @Test
    void shouldReportZeroLagOnceTheRegionCaughtUp() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 3L));
        assertEquals(6, monitor.latestLag("eu-west").totalLagEntries());

        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 9L));

        ReplicationLag lag = monitor.latestLag("eu-west");
        assertEquals(List.of(new PartitionLag(0, 9, 9, 0, 0.0)), lag.partitions());
        assertEquals(0, lag.totalLagEntries());
        assertEquals(0.0, lag.maxLagSeconds());
    }

    @Test
    void shouldCountEveryRecordAsLagOfARegionThatAppliedNothingInThePartition() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("ap-south-1", "ap-south", Map.of());

        // From the first record (+0 s) to the head (+9 s).
        assertEquals(List.of(new PartitionLag(0, 9, -1, 10, 9.0)), monitor.latestLag("ap-south").partitions());
    }

    @Test
    void shouldReportOneEntryAndNoSecondsWhenOnlyTheHeadRecordIsNotApplied() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 8L));

        // Lag seconds compare the head with the first record not applied, which here IS the head.
        assertEquals(List.of(new PartitionLag(0, 9, 8, 1, 0.0)), monitor.latestLag("eu-west").partitions());
    }

    @Test
    void shouldShowGrowingLagForARegionThatStoppedReporting() {
        monitor.walRecords(5, WAL_START_MS);  // offsets 0..4
        monitor.advance(HEAD_FORWARD);
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 4L));
        ReplicationLag caughtUp = monitor.latestLag("eu-west");
        assertEquals(0, caughtUp.totalLagEntries());

        // eu-west falls silent; the WAL goes on.
        monitor.walRecords(5, WAL_START_MS + 5_000);  // offsets 5..9
        monitor.advance(EMIT);
        ReplicationLag later = monitor.latestLag("eu-west");
        monitor.walRecords(5, WAL_START_MS + 10_000);  // offsets 10..14
        monitor.advance(EMIT);
        ReplicationLag evenLater = monitor.latestLag("eu-west");

        assertEquals(List.of(new PartitionLag(0, 9, 4, 5, 4.0)), later.partitions());
        assertEquals(List.of(new PartitionLag(0, 14, 4, 10, 9.0)), evenLater.partitions());
        // Emitted by the periodic punctuation, not by heartbeats: the last heartbeat stays the one before.
        assertEquals(caughtUp.lastHeartbeatMillis(), evenLater.lastHeartbeatMillis());
        assertTrue(evenLater.computedAtMillis() > later.computedAtMillis());
    }

    @Test
    void shouldEmitEveryKnownRegionPeriodicallyWithoutHeartbeats() {
        monitor.walRecords(3, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);
        monitor.heartbeat("us-east-1", "us-east", Map.of(0, 2L));
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 0L));
        monitor.newLags();

        monitor.advance(EMIT);

        List<KeyValue<String, ReplicationLag>> periodic = monitor.newLags();
        assertEquals(List.of("eu-west", "us-east"), periodic.stream().map(kv -> kv.key).toList());
        assertEquals(2, periodic.get(0).value.totalLagEntries());
        assertEquals(0, periodic.get(1).value.totalLagEntries());
    }

    @Test
    void shouldCombineTheNodesOfARegionByTheLargestOffsetPerPartition() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("eu-west-a", "eu-west", Map.of(0, 2L, 5, 40L));
        monitor.heartbeat("eu-west-b", "eu-west", Map.of(0, 6L));
        ReplicationLag combined = monitor.latestLag("eu-west");
        // A node that reports less later (it lost the partition, say) does not pull the region back.
        monitor.heartbeat("eu-west-a", "eu-west", Map.of(0, 1L, 5, 40L));
        ReplicationLag afterLowerReport = monitor.latestLag("eu-west");

        // Partition 5 has no records: no head, no lag, but the region's position shows.
        List<PartitionLag> expected = List.of(new PartitionLag(0, 9, 6, 3, 2.0), new PartitionLag(5, -1, 40, 0, 0.0));
        assertEquals(expected, combined.partitions());
        assertEquals(expected, afterLowerReport.partitions());
    }

    @Test
    void shouldKeepRegionsApart() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("us-east-1", "us-east", Map.of(0, 9L));
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 1L));

        assertEquals(0, monitor.latestLag("us-east").totalLagEntries());
        assertEquals(8, monitor.latestLag("eu-west").totalLagEntries());
        assertEquals(7.0, monitor.latestLag("eu-west").maxLagSeconds());  // offset 2 at +2 s, head at +9 s
    }

    @Test
    void shouldCountUnreadableWalRecordsAndCarryOn() {
        monitor.wal("acme", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), WAL_START_MS);
        monitor.wal("acme", "not json at all".getBytes(StandardCharsets.UTF_8), WAL_START_MS + 1_000);
        monitor.wal(null, null, WAL_START_MS + 2_000);
        monitor.wal("acme", new byte[] {(byte) 0xff, 0x00, 0x13}, WAL_START_MS + 3_000);
        monitor.wal("acme", "{\"v\":2}".getBytes(StandardCharsets.UTF_8), WAL_START_MS + 4_000);
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 1L));

        ReplicationLag lag = monitor.latestLag("eu-west");
        assertEquals(List.of(new PartitionLag(0, 4, 1, 3, 2.0)), lag.partitions());
        assertEquals(5, lag.wal().entries());
    }

    @Test
    void shouldSkipUnreadableHeartbeats() {
        monitor.walRecords(4, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);

        monitor.rawHeartbeat("eu-west-1", "{\"nodeId\":\"eu-west-1\"}".getBytes(StandardCharsets.UTF_8));
        monitor.rawHeartbeat("eu-west-1", "garbage".getBytes(StandardCharsets.UTF_8));
        monitor.rawHeartbeat("eu-west-1", null);
        assertEquals(List.of(), monitor.newLags());
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 1L));

        assertEquals(2, monitor.latestLag("eu-west").totalLagEntries());
    }

    @Test
    void shouldCountWalEntriesAndBytes() {
        monitor.wal("acme", new byte[10], WAL_START_MS);          // 4 + 10
        monitor.wal("globex", new byte[20], WAL_START_MS + 500);  // 6 + 20
        monitor.wal("acme", new byte[5], WAL_START_MS + 700);     // 4 + 5
        monitor.advance(HEAD_FORWARD);

        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 2L));

        assertEquals(new WalStats(3, 49, WAL_START_MS + 700), monitor.latestLag("eu-west").wal());
        monitor.walRecords(2, WAL_START_MS + 1_000);  // 4 + 7 each
        monitor.advance(EMIT);
        assertEquals(new WalStats(5, 71, WAL_START_MS + 2_000), monitor.latestLag("eu-west").wal());
    }

    @Test
    void shouldForwardAtMostOneHeadUpdatePerPartitionPerInterval() {
        monitor.walRecords(200, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);
        monitor.walRecords(1, WAL_START_MS + 200_000);
        monitor.advance(HEAD_FORWARD);

        // Two forward intervals with records: two updates in the repartition topic (heartbeats: none yet).
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 199L));
        assertEquals(1, monitor.latestLag("eu-west").totalLagEntries());
        assertEquals(2, monitor.headUpdatesForwarded());
    }

    @Test
    void shouldPersistOneTimeSampleASecondAndStayWithinASecondOfTheTrueLagAfterARestore() {
        // 10 s of WAL time, a record every 50 ms: the lag task keeps a sample every 100 ms of record time.
        int records = 200;
        for (int i = 0; i < records; i++) {
            monitor.wal("acme", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), WAL_START_MS + i * 50L);
        }
        monitor.advance(HEAD_FORWARD);

        // The changelog holds one sample per second of record time (offsets 0, 20, ..., 180), not 100.
        Map<String, Long> samples = monitor.changelog(LagMonitorTopology.SAMPLES_STORE, new StringDeserializer(),
                new LongDeserializer());
        assertEquals(10, samples.size(), "persisted samples: " + samples);
        WalHead head = monitor.changelog(LagMonitorTopology.HEADS_STORE, new IntegerDeserializer(),
                WalHead.binarySerde().deserializer()).get(0);
        assertEquals(records - 1, head.headOffset());

        // A lag task restored from the changelogs over-estimates lag seconds by less than that second, never under.
        LagCalculator restored = new LagCalculator(LagMonitorTopology.MAX_SAMPLES_PER_PARTITION,
                LagCalculator.Changes.NONE);
        restored.restoreHead(head);
        samples.forEach((position, timestamp) -> restored.restoreSample(Position.parse(position).partition(),
                Position.parse(position).offset(), timestamp));
        for (long applied = 0; applied < records - 1; applied++) {
            restored.restoreNode(new Heartbeat("eu-west-1", "eu-west", "http://eu-west-1:8080", Map.of(0, applied),
                    Set.of(), monitor.wallMillis(), 1));
            double estimated = restored.lagOf("eu-west", monitor.wallMillis()).orElseThrow().maxLagSeconds();
            double truth = (records - 1 - (applied + 1)) * 0.05;
            assertTrue(estimated >= truth - 1e-9 && estimated - truth < 1.0,
                    "applied " + applied + ": estimated " + estimated + " s, truly " + truth + " s");
        }
    }

    @Test
    void shouldServeTheNewestLagPerRegionFromTheGlobalView() {
        monitor.walRecords(10, WAL_START_MS);
        monitor.advance(HEAD_FORWARD);
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 3L));
        monitor.heartbeat("eu-west-1", "eu-west", Map.of(0, 7L));

        assertEquals(2, monitor.lagView().get("eu-west").totalLagEntries());
        assertEquals(monitor.latestLag("eu-west"), monitor.lagView().get("eu-west"));
    }
}
