package io.meridian.streams.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.ReplicationLag.PartitionLag;
import io.meridian.infra.model.WalStats;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The lag monitor's records on the wire: round trips through the catalog's serdes, strict on the way in. */
class LagModelSerdeTest {
    private static final WalStats WAL = new WalStats(120, 9_000, 1_700_000_000_000L);

    private static <T> T roundTrip(io.meridian.infra.topics.Topic<String, T> topic, T value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
    }

    @Test
    void shouldRoundTripAReplicationLagWithItsTotalsComputed() {
        ReplicationLag lag = ReplicationLag.of("eu-west", List.of(new PartitionLag(3, 10, 7, 3, 1.5),
                new PartitionLag(0, 4, -1, 5, 4.0)), 1_700_000_000_000L, 1_700_000_000_100L, WAL);

        assertEquals(8, lag.totalLagEntries());
        assertEquals(4.0, lag.maxLagSeconds());
        assertEquals(List.of(0, 3), lag.partitions().stream().map(PartitionLag::partition).toList());
        assertEquals(lag, roundTrip(Topics.REPLICATION_LAG, lag));
    }

    @Test
    void shouldRoundTripConflictStatsWithTheStrategyWireName() {
        ConflictStats stats = new ConflictStats(ConflictStrategy.LWW, 60_000, 120_000, 4);

        assertTrue(Json.writeString(stats).contains("\"strategy\":\"lww\""));
        assertEquals(stats, roundTrip(Topics.CONFLICT_STATS, stats));
    }

    @Test
    void shouldRejectTotalsThatDoNotMatchThePartitions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReplicationLag("eu-west",
                List.of(new PartitionLag(0, 4, 1, 3, 1.0)), 4, 1.0, 1, 1, WAL));
        assertTrue(e.getMessage().contains("totalLagEntries 4"), e.getMessage());
    }

    @Test
    void shouldRejectNegativeLagAndDuplicatePartitions() {
        assertThrows(IllegalArgumentException.class, () -> new PartitionLag(0, 4, 1, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PartitionLag(0, 4, 1, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ReplicationLag.of("eu-west",
                List.of(new PartitionLag(0, 4, 1, 3, 1.0), new PartitionLag(0, 4, 2, 2, 1.0)), 1, 1, WAL));
    }

    @Test
    void shouldRejectRecordsWithMissingFieldsOrAnEmptyWindow() {
        byte[] missing = "{\"region\":\"eu-west\",\"partitions\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThrows(SerializationException.class, () -> Topics.REPLICATION_LAG.valueSerde().deserializer()
                .deserialize(Topics.REPLICATION_LAG.name(), missing));
        assertThrows(IllegalArgumentException.class, () -> new ConflictStats(ConflictStrategy.MERGE, 10, 10, 0));
    }
}
