package io.meridian.infra.topics;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.ApiKeyRecord;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictStats;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.IngestResult;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.SyncRecord;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.JsonSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The catalog: every topic Meridian reads or writes, in one place. Topologies, producers and tests take names and
 * serdes from here. Partition counts and replication are the production defaults; {@link #catalog} applies the
 * configured layout.
 */
public final class Topics {
    private static final short RF = 3;
    private static final String MIN_ISR = "2";

    /** The replicated write-ahead log: data records and fences, keyed by tenant. */
    public static final Topic<String, WalRecord> WAL = new Topic<>("meridian.wal", Serdes.String(),
            new WalSerde(), 12, RF, Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, MIN_ISR));

    /** The latest placement of every tenant (compacted). */
    public static final Topic<String, Placement> PLACEMENTS = new Topic<>("meridian.placements", Serdes.String(),
            new JsonSerde<>(Placement.class), 12, RF, compacted());

    /** Migration commands and lifecycle events, keyed by tenant: the log operators tail. */
    public static final Topic<String, MigrationEvent> MIGRATIONS = new Topic<>("meridian.migrations", Serdes.String(),
            new JsonSerde<>(MigrationEvent.class), 12, RF, retained(Duration.ofDays(30)));

    /** Node heartbeats, keyed by node: region, URL, applied positions, suspected regions. */
    public static final Topic<String, Heartbeat> HEARTBEATS = new Topic<>("meridian.heartbeats", Serdes.String(),
            new JsonSerde<>(Heartbeat.class), 3, RF, retained(Duration.ofHours(1)));

    /** Replication lag per region and partition, with the WAL totals (compacted, keyed by region). */
    public static final Topic<String, ReplicationLag> REPLICATION_LAG = new Topic<>("meridian.replication-lag",
            Serdes.String(), new JsonSerde<>(ReplicationLag.class), 3, RF, compacted());

    /** Every conflict and how it was resolved, keyed by tenant. */
    public static final Topic<String, ConflictRecord> CONFLICTS = new Topic<>("meridian.conflicts", Serdes.String(),
            new JsonSerde<>(ConflictRecord.class), 6, RF, retained(Duration.ofDays(30)));

    /** Conflicts per strategy per one-minute window, counted once across regions (compacted, keyed by strategy). */
    public static final Topic<String, ConflictStats> CONFLICT_STATS = new Topic<>("meridian.conflict-stats",
            Serdes.String(), new JsonSerde<>(ConflictStats.class), 1, RF, compacted());

    /** Leadership, region-health changes and failover events; one partition keeps them in one order. */
    public static final Topic<String, JsonNode> CONTROLLER = new Topic<>("meridian.controller", Serdes.String(),
            new JsonSerde<>(JsonNode.class), 1, RF, retained(Duration.ofDays(30)));

    /** Records that could not be read, with the reason. */
    public static final Topic<String, DeadLetter> DLQ = new Topic<>("meridian.dlq", Serdes.String(),
            new JsonSerde<>(DeadLetter.class), 1, RF, retained(Duration.ofDays(30)));

    /**
     * The operator's pause/resume intent per region (compacted, keyed by region; see {@link RegionPause}). Written by
     * whichever node takes the request, not by the controller: a pause changes no placement and needs no fence in the
     * WAL (the applier simply stops reading it), so it must not depend on a controller being elected. Every node and
     * the controller read it whole; a restarted node reads its region's pause from here before its applier starts.
     */
    public static final Topic<String, RegionPause> REGIONS = new Topic<>("meridian.regions", Serdes.String(),
            new JsonSerde<>(RegionPause.class), 1, RF, compacted());

    /**
     * Tenant snapshots for full sync and re-seed, keyed by tenant, partitioned like the WAL (the same partition count,
     * so a tenant's snapshot and its WAL records reach the same applier task). Records are up to 2 MiB (a chunk of
     * documents). Kept a week: a region that is down for less resumes its sync from the topic.
     */
    public static final Topic<String, SyncRecord> SYNC = new Topic<>("meridian.sync", Serdes.String(),
            new JsonSerde<>(SyncRecord.class), 12, RF, Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(2 * 1024 * 1024 + 1024),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, MIN_ISR));

    /**
     * Write requests from services that produce to Kafka, in any language, with any partitioner and any key (see
     * {@code IngestRequest} for the JSON): read as bytes, so a request that cannot be read becomes a rejected outcome
     * and a dead letter, never a stuck consumer. One consumer group over every node reads each request once.
     */
    public static final Topic<String, byte[]> INGEST = new Topic<>("meridian.ingest", Serdes.String(),
            Serdes.ByteArray(), 12, RF, retained(Duration.ofDays(7)));

    /** The outcome of each ingested request, keyed by its request id: accepted with its position, or rejected. */
    public static final Topic<String, IngestResult> INGEST_RESULTS = new Topic<>("meridian.ingest-results",
            Serdes.String(), new JsonSerde<>(IngestResult.class), 12, RF, retained(Duration.ofDays(7)));

    /**
     * Data API keys created through the admin API (compacted, keyed by the key's name; see {@link ApiKeyRecord}): only
     * SHA-256 digests, never keys. A tombstone revokes the key. Written by whichever node takes the request (no
     * placement changes, so no controller is needed); every node reads it whole and follows it.
     */
    public static final Topic<String, ApiKeyRecord> API_KEYS = new Topic<>("meridian.api-keys", Serdes.String(),
            new JsonSerde<>(ApiKeyRecord.class), 1, RF, compacted());

    public static final List<Topic<?, ?>> ALL = List.of(WAL, PLACEMENTS, MIGRATIONS, HEARTBEATS, REPLICATION_LAG,
            CONFLICTS, CONFLICT_STATS, CONTROLLER, DLQ, REGIONS, SYNC, INGEST, INGEST_RESULTS,
            API_KEYS);

    private Topics() {
    }

    /**
     * The catalog for a cluster: every topic with {@code replicationFactor} and {@code minInsyncReplicas}, the WAL
     * and {@code meridian.sync} with {@code walPartitions}.
     */
    public static List<Topic<?, ?>> catalog(int walPartitions, short replicationFactor, int minInsyncReplicas) {
        return ALL.stream()
                .<Topic<?, ?>>map(t -> t.withLayout(t == WAL || t == SYNC ? walPartitions : t.partitions(), replicationFactor,
                        minInsyncReplicas))
                .toList();
    }

    private static Map<String, String> compacted() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, MIN_ISR);
    }

    private static Map<String, String> retained(Duration retention) {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, MIN_ISR);
    }
}
