package io.meridian.infra.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys of the router, a node's HTTP server: where it listens and the body limit, how long writes and reads wait,
 * Retry-After, the placement cache, and the wait for a WAL partition that moves between nodes. Read through
 * {@link MeridianConfig}'s accessors.
 */
public final class RouterConfigs {
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_MAX_BODY_BYTES = "http.max.body.bytes";
    public static final String WRITE_APPLY_TIMEOUT_MS = "write.apply.timeout.ms";
    public static final String WRITE_PAUSE_BUDGET_MS = "write.pause.budget.ms";
    public static final String WRITE_SHED_AFTER_MS = "write.shed.after.ms";
    public static final String READ_MIN_POSITION_WAIT_MS = "read.min.position.wait.ms";
    public static final String READ_CONCERN_TIMEOUT_MS = "read.concern.timeout.ms";
    public static final String RETRY_AFTER_SECONDS = "retry.after.seconds";
    public static final String PLACEMENT_CACHE_TTL_MS = "placement.cache.ttl.ms";
    public static final String PLACEMENT_CACHE_MAX_TENANTS = "placement.cache.max.tenants";
    public static final String ROUTING_REBALANCE_WAIT_MS = "routing.rebalance.wait.ms";

    private RouterConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        def.define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "The address the HTTP server binds.");
        def.define(HTTP_PORT, Type.INT, 8080, Range.between(1, 65535), Importance.HIGH,
                "The port the HTTP server listens on.");
        def.define(HTTP_MAX_BODY_BYTES, Type.INT, 1_000_000, Range.between(1, 64 * 1024 * 1024), Importance.MEDIUM,
                "The largest request body accepted; larger ones get 413. With the record envelope it must fit the"
                        + " WAL producer's max.request.size (1 MiB by default), checked at startup.");
        def.define(WRITE_APPLY_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(100L, 600_000L), Importance.MEDIUM,
                "How long a write waits for Kafka's acknowledgement and the local applier's verdict before the"
                        + " client gets 503 (the write may still be applied: retry with the same Idempotency-Key).");
        def.define(WRITE_SHED_AFTER_MS, Type.LONG, 5_000L, Range.between(0L, 600_000L), Importance.MEDIUM,
                "A write is refused at once with 503 applier_behind (nothing written, Retry-After) while this node's"
                        + " applier has not read a record this node wrote to the write's WAL partition that Kafka"
                        + " acknowledged longer ago than this: the write would most likely time out"
                        + " (write.apply.timeout.ms), and piling more writes behind it only makes the applier later."
                        + " 0: never refuse.");
        def.define(WRITE_PAUSE_BUDGET_MS, Type.LONG, 5_000L, Range.between(0L, 600_000L), Importance.MEDIUM,
                "How long a write to a paused tenant is held before it gets 503 with Retry-After.");
        def.define(READ_MIN_POSITION_WAIT_MS, Type.LONG, 2_000L, Range.between(0L, 60_000L), Importance.MEDIUM,
                "How long a read with X-Meridian-Min-Position waits for the local applier to pass it.");
        def.define(READ_CONCERN_TIMEOUT_MS, Type.LONG, 1_000L, Range.between(10L, 60_000L), Importance.MEDIUM,
                "How long a read with X-Meridian-Read-Concern waits for each replica region's answer; a region"
                        + " that does not answer in time is skipped and named in X-Meridian-Skipped-Regions.");
        def.define(RETRY_AFTER_SECONDS, Type.INT, 1, Range.between(1, 3600), Importance.LOW,
                "The Retry-After value of 503 answers.");
        def.define(PLACEMENT_CACHE_TTL_MS, Type.LONG, 30_000L, Range.between(0L, 3_600_000L), Importance.LOW,
                "Time-to-live of a cached placement. Changes invalidate at once; the TTL is a safety net.");
        def.define(PLACEMENT_CACHE_MAX_TENANTS, Type.LONG, 100_000L, Range.between(1L, 100_000_000L), Importance.LOW,
                "Most placements kept in the router's cache.");
        def.define(ROUTING_REBALANCE_WAIT_MS, Type.LONG, 10_000L, Range.between(0L, 120_000L), Importance.MEDIUM,
                "How long a request waits, while its tenant's WAL partition moves between the nodes of a region"
                        + " (a node joined or left), for a node to own it and for the new owner's state to be"
                        + " restored, before it gets 503 partition_moving with Retry-After.");
        return def;
    }
}
