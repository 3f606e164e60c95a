package io.meridian.infra.metrics;

/**
 * Every Meridian meter name and tag key, in one place. Micrometer names are dotted with base units; Prometheus sees
 * them underscored with the unit and {@code _total} for counters (the comment after each name). Dashboards
 * ({@code grafana/}) and alert rules ({@code prometheus/}) use exactly these; a test checks that they exist. Tag
 * values are bounded: a tenant id is never a tag.
 */
public final class MetricNames {
    // Tag keys.
    public static final String TAG_REGION = "region";
    public static final String TAG_NODE = "node";
    public static final String TAG_PARTITION = "partition";
    public static final String TAG_STRATEGY = "strategy";
    public static final String TAG_STATE = "state";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_REASON = "reason";
    public static final String TAG_VERDICT = "verdict";
    /** Why a conflict arose: {@code stale_epoch} or {@code write_conflict} (multi-primary). */
    public static final String TAG_CAUSE = "cause";
    public static final String TAG_STORE = "store";

    // Replication (lag monitor, applier).
    /** meridian_replication_lag_seconds{region}: how far behind the WAL head a region's applier is, in time. */
    public static final String REPLICATION_LAG_SECONDS = "meridian.replication.lag.seconds";
    /** meridian_replication_lag_entries{region}: WAL entries a region has yet to apply. */
    public static final String REPLICATION_LAG_ENTRIES = "meridian.replication.lag.entries";
    /** meridian_replication_entries_total: WAL entries appended (all regions see the same log). */
    public static final String REPLICATION_ENTRIES = "meridian.replication.entries";
    /** meridian_replication_bytes_total: WAL bytes appended. */
    public static final String REPLICATION_BYTES = "meridian.replication.bytes";
    /** meridian_replication_conflicts_total{strategy,cause}: conflicts resolved. */
    public static final String REPLICATION_CONFLICTS = "meridian.replication.conflicts";
    /** meridian_replication_follower_health{region}: 1 healthy, 0.5 suspect, 0 unhealthy. */
    public static final String REPLICATION_FOLLOWER_HEALTH = "meridian.replication.follower.health";
    /** meridian_applier_records_total{verdict}: data records this node's applier decided. */
    public static final String APPLIER_RECORDS = "meridian.applier.records";
    /** meridian_applier_dead_letters_total{reason}: WAL records sent to meridian.dlq instead of being applied. */
    public static final String APPLIER_DEAD_LETTERS = "meridian.applier.dead.letters";
    /**
     * meridian_applier_restored_records_total{store}: changelog records this node restored into the applier's stores and
     * its placement view (a new node, a crash under exactly-once; a clean restart restores next to none).
     */
    public static final String APPLIER_RESTORED_RECORDS = "meridian.applier.restored.records";
    /** meridian_region_needs_reseed{region}: 1 when the region skipped WAL records deleted by retention. */
    public static final String REGION_NEEDS_RESEED = "meridian.region.needs.reseed";
    /** meridian_replication_paused{region}: 1 while the operator has the region's replication paused (meridian.regions). */
    public static final String REPLICATION_PAUSED = "meridian.replication.paused";

    // Full sync and re-seed (a region filling a tenant from a snapshot).
    /** meridian_sync_in_progress{region}: tenants this node's region is filling from a snapshot. */
    public static final String SYNC_IN_PROGRESS = "meridian.sync.in.progress";
    /** meridian_sync_documents_total{region}: snapshot documents copied into this node's region. */
    public static final String SYNC_DOCUMENTS = "meridian.sync.documents";
    /** meridian_sync_bytes_total{region}: snapshot bytes copied into this node's region. */
    public static final String SYNC_BYTES = "meridian.sync.bytes";
    /** meridian_sync_remaining_documents{region}: snapshot documents still to copy, over the syncs in progress. */
    public static final String SYNC_REMAINING_DOCUMENTS = "meridian.sync.remaining.documents";
    /** meridian_sync_completed_total{region,outcome}: syncs ended here (caught_up, digest_mismatch). */
    public static final String SYNC_COMPLETED = "meridian.sync.completed";

    // WAL.
    /** meridian_wal_size_bytes: size of meridian.wal on the brokers' disks (one replica of each partition). */
    public static final String WAL_SIZE_BYTES = "meridian.wal.size.bytes";
    /** meridian_wal_retention_seconds: meridian.wal's retention.ms as the brokers say; NaN: unknown or unlimited. */
    public static final String WAL_RETENTION_SECONDS = "meridian.wal.retention.seconds";

    // Kafka cluster health (asked of the brokers with the Admin client every 30 s).
    /** meridian_kafka_brokers_online: brokers the cluster metadata lists as alive. */
    public static final String KAFKA_BROKERS_ONLINE = "meridian.kafka.brokers.online";
    /** meridian_kafka_brokers_offline: brokers that hold replicas of Meridian topics but are not alive. */
    public static final String KAFKA_BROKERS_OFFLINE = "meridian.kafka.brokers.offline";
    /** meridian_kafka_partitions_under_replicated: Meridian topic partitions whose ISR is smaller than the replicas. */
    public static final String KAFKA_PARTITIONS_UNDER_REPLICATED = "meridian.kafka.partitions.under.replicated";
    /** meridian_kafka_partitions_offline: Meridian topic partitions without a leader. */
    public static final String KAFKA_PARTITIONS_OFFLINE = "meridian.kafka.partitions.offline";

    // Between regions.
    /**
     * meridian_heartbeat_round_trip_seconds{region}: heartbeat round trip between this node and a node of
     * {@code region} through meridian.heartbeats (send, the peer echoes it in its next heartbeat; the peer's holding
     * time is taken off), a histogram. One clock measures each round trip, so clock skew does not enter.
     */
    public static final String HEARTBEAT_ROUND_TRIP = "meridian.heartbeat.round.trip";

    // Consistency check.
    /**
     * meridian_replica_divergent_tenants: tenants whose replica regions held different digests at the same WAL
     * position in this node's last continuous-check round (on the controller).
     */
    public static final String REPLICA_DIVERGENT_TENANTS = "meridian.replica.divergent.tenants";

    // Migration.
    /** meridian_migration_duration_seconds: from requested to completed/failed/cancelled. */
    public static final String MIGRATION_DURATION = "meridian.migration.duration";
    /** meridian_migration_total{state}: migrations by final state. */
    public static final String MIGRATION_TOTAL = "meridian.migration";
    /** meridian_migration_write_pause_seconds: how long a migration kept writes paused. */
    public static final String MIGRATION_WRITE_PAUSE = "meridian.migration.write.pause";
    /** meridian_migration_in_progress. */
    public static final String MIGRATION_IN_PROGRESS = "meridian.migration.in.progress";
    /**
     * meridian_migration_oldest_age_seconds: age of the oldest migration in progress (since it was requested), 0 when
     * none is (on the controller; 0 elsewhere). "Stuck" is judged on this, not on back-to-back in-progress counts.
     */
    public static final String MIGRATION_OLDEST_AGE_SECONDS = "meridian.migration.oldest.age.seconds";

    // Failback.
    /** meridian_failback_pending: tenants waiting to be moved back to their preferred primary (on the controller). */
    public static final String FAILBACK_PENDING = "meridian.failback.pending";
    /** meridian_failback_total{outcome}: failbacks started, completed and rolled back. */
    public static final String FAILBACK_TOTAL = "meridian.failback";

    // Controller.
    /** meridian_controller_leader: 1 on the node that leads, else 0. */
    public static final String CONTROLLER_LEADER = "meridian.controller.leader";
    /** meridian_controller_epoch. */
    public static final String CONTROLLER_EPOCH = "meridian.controller.epoch";
    /** meridian_failover_total{trigger}. */
    public static final String FAILOVER_TOTAL = "meridian.failover";

    // Router.
    /** meridian_http_requests_seconds{route,method,status}. */
    public static final String HTTP_REQUESTS = "meridian.http.requests";
    /** meridian_router_redirects_total{reason}. */
    public static final String ROUTER_REDIRECTS = "meridian.router.redirects";
    /** meridian_router_writes_seconds{outcome}: write latency until acknowledged or refused. */
    public static final String ROUTER_WRITES = "meridian.router.writes";
    /** meridian_router_applier_delay_seconds: age of the oldest record a node wrote that its applier has not read. */
    public static final String ROUTER_APPLIER_DELAY = "meridian.router.applier.delay.seconds";
    /** meridian_placement_cache_gets_total{result=hit|miss}. */
    public static final String PLACEMENT_CACHE_GETS = "meridian.placement.cache.gets";
    /** meridian_tenants{region}: tenants whose primary is the region. */
    public static final String TENANTS = "meridian.tenants";

    private MetricNames() {
    }
}
