package io.meridian.migration;

import io.meridian.election.failover.FailoverPolicy;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * What failback is configured with; {@link #from} reads it from a node's configuration. Immutable.
 *
 * @param automatic     whether the controller starts failbacks on its own ({@code failback.enabled}); operators can
 *                      always trigger or cancel one
 * @param after         how long the preferred region must have been healthy before a tenant moves back to it
 *                      ({@code failback.after.ms}): the hysteresis
 * @param maxPerRegion  how many failbacks into one region may run at the same time ({@code failback.max.per.region})
 * @param maxLagEntries the preferred region must lag the tenant's WAL partition by at most this many entries: the
 *                      bound migrations use ({@code migration.max.target.lag.entries})
 * @param inhibitWindow the failover inhibit window ({@code failover.inhibit.window.ms}): no failback into a region
 *                      while a failover of it is inhibited
 * @param callTimeout   how long an API call waits for the controller's duties thread
 */
public record FailbackSettings(boolean automatic, Duration after, int maxPerRegion, long maxLagEntries,
                               Duration inhibitWindow, Duration callTimeout) {

    public FailbackSettings {
        Objects.requireNonNull(after, ControllerConfigs.FAILBACK_AFTER_MS);
        Objects.requireNonNull(inhibitWindow, FailoverPolicy.INHIBIT_WINDOW_CONFIG);
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (after.isNegative()) {
            throw new IllegalArgumentException(ControllerConfigs.FAILBACK_AFTER_MS + " must not be negative, got "
                    + after.toMillis());
        }
        if (maxPerRegion < 1) {
            throw new IllegalArgumentException(ControllerConfigs.FAILBACK_MAX_PER_REGION + " must be at least 1, got "
                    + maxPerRegion);
        }
        if (maxLagEntries < 0) {
            throw new IllegalArgumentException("maxLagEntries must not be negative, got " + maxLagEntries);
        }
    }

    public static FailbackSettings from(MeridianConfig config) {
        return new FailbackSettings(config.getBoolean(ControllerConfigs.FAILBACK_ENABLED),
                Duration.ofMillis(config.getLong(ControllerConfigs.FAILBACK_AFTER_MS)),
                config.getInt(ControllerConfigs.FAILBACK_MAX_PER_REGION),
                config.getLong(ControllerConfigs.MIGRATION_MAX_TARGET_LAG_ENTRIES),
                Duration.ofMillis(config.getLong(ControllerConfigs.FAILOVER_INHIBIT_WINDOW_MS)),
                Duration.ofSeconds(60));
    }
}
