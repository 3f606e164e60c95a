package io.meridian.election.health;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link RegionHealthMonitor} judges regions. Immutable and validated on construction; rules that span two
 * settings name both settings and both values. The {@code *_CONFIG} constants are the configuration keys these
 * settings are read from.
 *
 * @param interval           the heartbeat interval: the length of an evaluation window while a region is not down
 * @param missesToSuspect    consecutive missed windows that make a healthy region {@code SUSPECT} (default 2)
 * @param missesToUnhealthy  consecutive missed windows that make a suspect region {@code UNHEALTHY} (default 5);
 *                           must be greater than {@code missesToSuspect}, so a region always passes through suspect
 * @param successesToHealthy consecutive windows with a heartbeat that make a suspect or unhealthy region
 *                           {@code HEALTHY} again (default 2)
 * @param backoffMultiplier  while a region stays {@code UNHEALTHY}, each missed window makes the next one this many
 *                           times longer (default 2.0; 1.0 disables the backoff)
 * @param maxProbeInterval   the longest an evaluation window grows to (default 8 × interval)
 * @param startupGrace       a region never heard from since the monitor started cannot become {@code UNHEALTHY}
 *                           before this much time has passed; set it to the failover leader-timeout
 * @param suspicionTtl       a node's suspicions count only while its latest heartbeat is at most this old
 *                           (default missesToSuspect × interval: an older opinion comes from a node that is itself
 *                           suspect)
 */
public record HealthPolicy(
        Duration interval,
        int missesToSuspect,
        int missesToUnhealthy,
        int successesToHealthy,
        double backoffMultiplier,
        Duration maxProbeInterval,
        Duration startupGrace,
        Duration suspicionTtl) {

    public static final String INTERVAL_CONFIG = "health.heartbeat.interval.ms";
    public static final String MISSES_TO_SUSPECT_CONFIG = "health.misses.to.suspect";
    public static final String MISSES_TO_UNHEALTHY_CONFIG = "health.misses.to.unhealthy";
    public static final String SUCCESSES_TO_HEALTHY_CONFIG = "health.successes.to.healthy";
    public static final String BACKOFF_MULTIPLIER_CONFIG = "health.probe.backoff.multiplier";
    public static final String MAX_PROBE_INTERVAL_CONFIG = "health.probe.backoff.max.ms";
    public static final String STARTUP_GRACE_CONFIG = "health.startup.grace.ms";
    public static final String SUSPICION_TTL_CONFIG = "health.suspicion.ttl.ms";

    public static final int DEFAULT_MISSES_TO_SUSPECT = 2;
    public static final int DEFAULT_MISSES_TO_UNHEALTHY = 5;
    public static final int DEFAULT_SUCCESSES_TO_HEALTHY = 2;
    public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
    public static final int DEFAULT_MAX_PROBE_INTERVALS = 8;

    public HealthPolicy {
        Objects.requireNonNull(interval, INTERVAL_CONFIG);
        Objects.requireNonNull(maxProbeInterval, MAX_PROBE_INTERVAL_CONFIG);
        Objects.requireNonNull(startupGrace, STARTUP_GRACE_CONFIG);
        Objects.requireNonNull(suspicionTtl, SUSPICION_TTL_CONFIG);
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException(INTERVAL_CONFIG + " must be at least 1 ms, got " + interval.toMillis());
        }
        if (missesToSuspect < 1) {
            throw new IllegalArgumentException(MISSES_TO_SUSPECT_CONFIG + " must be at least 1, got " + missesToSuspect);
        }
        if (missesToUnhealthy <= missesToSuspect) {
            throw new IllegalArgumentException(MISSES_TO_UNHEALTHY_CONFIG + " (" + missesToUnhealthy
                    + ") must be greater than " + MISSES_TO_SUSPECT_CONFIG + " (" + missesToSuspect + ")");
        }
        if (successesToHealthy < 1) {
            throw new IllegalArgumentException(SUCCESSES_TO_HEALTHY_CONFIG + " must be at least 1, got "
                    + successesToHealthy);
        }
        if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
            throw new IllegalArgumentException(BACKOFF_MULTIPLIER_CONFIG + " must be a finite number of at least 1.0, got "
                    + backoffMultiplier);
        }
        if (maxProbeInterval.compareTo(interval) < 0) {
            throw new IllegalArgumentException(MAX_PROBE_INTERVAL_CONFIG + " (" + maxProbeInterval.toMillis()
                    + ") must not be less than " + INTERVAL_CONFIG + " (" + interval.toMillis() + ")");
        }
        if (startupGrace.isNegative()) {
            throw new IllegalArgumentException(STARTUP_GRACE_CONFIG + " must not be negative, got "
                    + startupGrace.toMillis());
        }
        if (suspicionTtl.compareTo(interval) < 0) {
            throw new IllegalArgumentException(SUSPICION_TTL_CONFIG + " (" + suspicionTtl.toMillis()
                    + ") must not be less than " + INTERVAL_CONFIG + " (" + interval.toMillis() + ")");
        }
    }

    /**
     * The defaults for a heartbeat {@code interval}, with a never-seen region held back for {@code startupGrace}
     * (pass the failover leader-timeout).
     */
    public static HealthPolicy defaults(Duration interval, Duration startupGrace) {
        return new HealthPolicy(interval, DEFAULT_MISSES_TO_SUSPECT, DEFAULT_MISSES_TO_UNHEALTHY,
                DEFAULT_SUCCESSES_TO_HEALTHY, DEFAULT_BACKOFF_MULTIPLIER,
                interval.multipliedBy(DEFAULT_MAX_PROBE_INTERVALS), startupGrace,
                interval.multipliedBy(DEFAULT_MISSES_TO_SUSPECT));
    }

    public HealthPolicy withThresholds(int newMissesToSuspect, int newMissesToUnhealthy, int newSuccessesToHealthy) {
        return new HealthPolicy(interval, newMissesToSuspect, newMissesToUnhealthy, newSuccessesToHealthy,
                backoffMultiplier, maxProbeInterval, startupGrace, suspicionTtl);
    }

    public HealthPolicy withBackoff(double newMultiplier, Duration newMaxProbeInterval) {
        return new HealthPolicy(interval, missesToSuspect, missesToUnhealthy, successesToHealthy, newMultiplier,
                newMaxProbeInterval, startupGrace, suspicionTtl);
    }

    public HealthPolicy withSuspicionTtl(Duration newSuspicionTtl) {
        return new HealthPolicy(interval, missesToSuspect, missesToUnhealthy, successesToHealthy, backoffMultiplier,
                maxProbeInterval, startupGrace, newSuspicionTtl);
    }

    /** The evaluation window after {@code current} while a region stays down: grown by the multiplier, capped. */
    long nextProbeWindowMillis(long currentMillis) {
        double grown = Math.ceil(currentMillis * backoffMultiplier);
        return (long) Math.min(grown, (double) maxProbeInterval.toMillis());
    }
}
