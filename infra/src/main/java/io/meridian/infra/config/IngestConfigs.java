package io.meridian.infra.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys of the ingest consumer, which writes the requests produced to meridian.ingest. Read through
 * {@link MeridianConfig}'s accessors.
 */
public final class IngestConfigs {
    public static final String INGEST_ENABLED = "ingest.enabled";
    public static final String INGEST_GROUP_ID = "ingest.group.id";
    public static final String INGEST_MAX_IN_FLIGHT = "ingest.max.in.flight";
    public static final String INGEST_RETRY_BUDGET_MS = "ingest.retry.budget.ms";

    private IngestConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        def.define(INGEST_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether this node takes part in consuming meridian.ingest (write requests produced to Kafka):"
                        + " every node of every region is a member of one consumer group, so each request is read"
                        + " once and written through the tenant's primary region.");
        def.define(INGEST_GROUP_ID, Type.STRING, "meridian-ingest", new ConfigDef.NonEmptyString(), Importance.LOW,
                "The consumer group of meridian.ingest; the same on every node of the deployment.");
        def.define(INGEST_MAX_IN_FLIGHT, Type.INT, 256, Range.between(1, 100_000), Importance.LOW,
                "Ingest requests this node works on at once; beyond, it stops fetching until outcomes are out.");
        def.define(INGEST_RETRY_BUDGET_MS, Type.LONG, 300_000L, Range.between(0L, 86_400_000L), Importance.MEDIUM,
                "How long an ingest request whose write gets an answer that may pass by itself (503: paused,"
                        + " a moving partition, Kafka or coordination unavailable; 409 placement_changed) is"
                        + " retried, with the same request id, before its outcome is published as that rejection.");
        return def;
    }
}
