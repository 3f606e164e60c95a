package io.meridian.migration;

import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What the {@link MigrationExecutor} is configured with; {@link #from} reads it from a node's configuration.
 * Immutable.
 *
 * @param regions              every configured region (a target must be one of them)
 * @param walPartitions        partitions of {@code meridian.wal}
 * @param timeout              a migration not switched by then (counted from its request) is rolled back
 * @param maxTargetLagEntries  a migration is refused when the target lags more than this
 * @param pauseBudget          how long routers hold writes to a paused tenant (used to judge a plan)
 * @param heartbeatInterval    how often region applied offsets are refreshed (a drain the target cannot be asked
 *                             about directly is seen at most this late)
 * @param progressInterval     the least time between two {@code Progress} events of one draining migration
 * @param callTimeout          how long an API call waits for the controller's duties thread
 * @param maxPerRegion         how many active migrations may move tenants into or out of one region; a new one over
 *                             it is refused ({@link TooManyMigrationsException}), since their transactions share the
 *                             controller's one duties thread and each waits for the others' (longer write pauses)
 */
public record MigrationSettings(
        Set<String> regions,
        int walPartitions,
        Duration timeout,
        long maxTargetLagEntries,
        Duration pauseBudget,
        Duration heartbeatInterval,
        Duration progressInterval,
        Duration callTimeout,
        int maxPerRegion) {

    /** {@code migration.max.per.region}'s default. */
    public static final int DEFAULT_MAX_PER_REGION = 8;

    public MigrationSettings {
        regions = Set.copyOf(regions);
        if (walPartitions < 1) {
            throw new IllegalArgumentException("walPartitions must be positive, got " + walPartitions);
        }
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(pauseBudget, "pauseBudget");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(progressInterval, "progressInterval");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (timeout.toMillis() < 1 || maxTargetLagEntries < 0) {
            throw new IllegalArgumentException("timeout must be positive and maxTargetLagEntries non-negative, got "
                    + timeout + " and " + maxTargetLagEntries);
        }
        if (maxPerRegion < 1) {
            throw new IllegalArgumentException(ControllerConfigs.MIGRATION_MAX_PER_REGION + " must be at least 1, got "
                    + maxPerRegion);
        }
    }

    /** With {@link #DEFAULT_MAX_PER_REGION} migrations per region. */
    public MigrationSettings(Set<String> regions, int walPartitions, Duration timeout, long maxTargetLagEntries,
                             Duration pauseBudget, Duration heartbeatInterval, Duration progressInterval,
                             Duration callTimeout) {
        this(regions, walPartitions, timeout, maxTargetLagEntries, pauseBudget, heartbeatInterval, progressInterval,
                callTimeout, DEFAULT_MAX_PER_REGION);
    }

    public static MigrationSettings from(MeridianConfig config) {
        return new MigrationSettings(config.regionUrls().keySet(), config.walPartitions(),
                Duration.ofMillis(config.getLong(ControllerConfigs.MIGRATION_TIMEOUT_MS)),
                config.getLong(ControllerConfigs.MIGRATION_MAX_TARGET_LAG_ENTRIES), config.writePauseBudget(),
                Duration.ofMillis(config.getLong(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS)),
                Duration.ofSeconds(1), Duration.ofSeconds(60),
                config.getInt(ControllerConfigs.MIGRATION_MAX_PER_REGION));
    }
}
