package io.meridian.infra.config;

import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The keys of the controller's duties: judging region health, failover and failback, migrations and the continuous
 * consistency check, with the checks of the health thresholds and the region priorities. Read through
 * {@link MeridianConfig}'s accessors.
 */
public final class ControllerConfigs {
    public static final String CONSISTENCY_CHECK_INTERVAL_MS = "consistency.check.interval.ms";
    public static final String CONSISTENCY_CHECK_TENANTS = "consistency.check.tenants";
    public static final String HEALTH_HEARTBEAT_INTERVAL_MS = "health.heartbeat.interval.ms";
    public static final String HEALTH_MISSES_TO_SUSPECT = "health.misses.to.suspect";
    public static final String HEALTH_MISSES_TO_UNHEALTHY = "health.misses.to.unhealthy";
    public static final String HEALTH_SUCCESSES_TO_HEALTHY = "health.successes.to.healthy";
    public static final String HEALTH_PROBE_BACKOFF_MULTIPLIER = "health.probe.backoff.multiplier";
    public static final String HEALTH_PROBE_BACKOFF_MAX_MS = "health.probe.backoff.max.ms";
    public static final String FAILOVER_ENABLED = "failover.enabled";
    public static final String FAILOVER_LEADER_TIMEOUT_MS = "failover.leader.timeout.ms";
    public static final String FAILOVER_QUORUM = "failover.quorum";
    public static final String FAILOVER_INHIBIT_WINDOW_MS = "failover.inhibit.window.ms";
    public static final String FAILOVER_REGION_PRIORITIES = "failover.region.priorities";
    public static final String MIGRATION_TIMEOUT_MS = "migration.timeout.ms";
    public static final String MIGRATION_MAX_TARGET_LAG_ENTRIES = "migration.max.target.lag.entries";
    public static final String MIGRATION_MAX_PER_REGION = "migration.max.per.region";
    public static final String FAILBACK_ENABLED = "failback.enabled";
    public static final String FAILBACK_AFTER_MS = "failback.after.ms";
    public static final String FAILBACK_MAX_PER_REGION = "failback.max.per.region";

    private ControllerConfigs() {
    }

    static ConfigDef define(ConfigDef def) {
        def.define(CONSISTENCY_CHECK_INTERVAL_MS, Type.LONG, 300_000L, Range.between(0L, 86_400_000L),
                Importance.LOW, "How often the controller's continuous consistency check compares a sample of"
                        + " tenants' digests across their replica regions (0: never).");
        def.define(CONSISTENCY_CHECK_TENANTS, Type.INT, 10, Range.between(1, 10_000), Importance.LOW,
                "How many tenants (chosen at random among those with two or more replica regions) each round of"
                        + " the continuous consistency check compares.");
        def.define(HEALTH_HEARTBEAT_INTERVAL_MS, Type.LONG, 1_000L, Range.between(100L, 60_000L), Importance.MEDIUM,
                "How often nodes heartbeat; region health is judged per interval.");
        def.define(HEALTH_MISSES_TO_SUSPECT, Type.INT, 2, Range.between(1, 1_000), Importance.LOW,
                "Consecutive intervals without a heartbeat before a region is suspect.");
        def.define(HEALTH_MISSES_TO_UNHEALTHY, Type.INT, 5, Range.between(1, 1_000), Importance.MEDIUM,
                "Consecutive intervals without a heartbeat before a region is unhealthy.");
        def.define(HEALTH_SUCCESSES_TO_HEALTHY, Type.INT, 2, Range.between(1, 1_000), Importance.LOW,
                "Consecutive intervals with heartbeats before a suspect or unhealthy region is healthy again.");
        def.define(HEALTH_PROBE_BACKOFF_MULTIPLIER, Type.DOUBLE, 2.0, Range.between(1.0, 10.0), Importance.LOW,
                "While a region stays unhealthy its evaluation interval grows by this factor...");
        def.define(HEALTH_PROBE_BACKOFF_MAX_MS, Type.LONG, 8_000L, Range.between(100L, 600_000L), Importance.LOW,
                "...up to this interval.");
        def.define(FAILOVER_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether the controller fails regions over automatically (manual failover always works).");
        def.define(FAILOVER_LEADER_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(0L, 3_600_000L), Importance.HIGH,
                "How long a region must be unhealthy before its tenants are failed over.");
        def.define(FAILOVER_QUORUM, Type.INT, 0, Range.between(0, 1_000), Importance.MEDIUM,
                "How many OTHER regions must also suspect a region before it is failed over; 0: a majority.");
        def.define(FAILOVER_INHIBIT_WINDOW_MS, Type.LONG, 60_000L, Range.between(0L, 86_400_000L), Importance.MEDIUM,
                "After a region's failover, no other automatic failover of it for this long (against flapping).");
        def.define(FAILOVER_REGION_PRIORITIES, Type.LIST, "", Importance.LOW,
                "Region priorities as region=int pairs; the higher wins between replicas at the same position.");
        def.define(MIGRATION_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1_000L, 86_400_000L), Importance.MEDIUM,
                "A migration not switched by then is rolled back.");
        def.define(MIGRATION_MAX_TARGET_LAG_ENTRIES, Type.LONG, 100_000L, Range.between(0L, Long.MAX_VALUE),
                Importance.LOW, "A migration is refused when the target region lags more than this.");
        def.define(MIGRATION_MAX_PER_REGION, Type.INT, 8, Range.between(1, 1_000), Importance.LOW,
                "How many active migrations may move tenants into or out of one region at the same time; more are"
                        + " refused with 429 too_many_migrations (they share the controller's transactions, so"
                        + " more at once lengthens every tenant's write pause).");
        def.define(FAILBACK_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether the controller moves a tenant back to its preferred_primary on its own after an automatic"
                        + " failover moved it away (operators can always trigger or cancel a failback).");
        def.define(FAILBACK_AFTER_MS, Type.LONG, 600_000L, Range.between(0L, 7L * 86_400_000L), Importance.MEDIUM,
                "How long a tenant's preferred region must have been healthy (and outside its failover inhibit"
                        + " window) before the tenant is moved back to it: the failback's hysteresis.");
        def.define(FAILBACK_MAX_PER_REGION, Type.INT, 1, Range.between(1, 1_000), Importance.LOW,
                "How many failbacks into one region may run at the same time.");
        return def;
    }

    /**
     * Throws unless a region becomes suspect before it becomes unhealthy, and every region priority is region=int for
     * a region of {@code regions}.
     */
    static void check(AbstractConfig config, Set<String> regions) {
        int unhealthy = config.getInt(HEALTH_MISSES_TO_UNHEALTHY);
        int suspect = config.getInt(HEALTH_MISSES_TO_SUSPECT);
        if (unhealthy < suspect) {
            throw new ConfigException(HEALTH_MISSES_TO_UNHEALTHY + "=" + unhealthy + " is below "
                    + HEALTH_MISSES_TO_SUSPECT + "=" + suspect + ": a region must be suspect before it is unhealthy");
        }
        for (String entry : config.getList(FAILOVER_REGION_PRIORITIES)) {
            int eq = entry.indexOf('=');
            String named = eq > 0 ? entry.substring(0, eq).trim() : "";
            if (!regions.contains(named)) {
                throw new ConfigException(FAILOVER_REGION_PRIORITIES, entry, "expected region=int for a region in "
                        + MeridianConfig.REGIONS + " " + regions);
            }
            try {
                Integer.parseInt(entry.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(FAILOVER_REGION_PRIORITIES, entry, "the priority must be an integer");
            }
        }
    }
}
