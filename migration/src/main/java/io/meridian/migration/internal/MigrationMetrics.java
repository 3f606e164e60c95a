package io.meridian.migration.internal;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.MigrationState;
import io.meridian.migration.Migration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The migration meters (names in {@link MetricNames}): duration from request to final state, migrations by final
 * state (every final state registered at 0 up front, so dashboards see them before the first migration), how long
 * writes stayed paused, and migrations in progress (0 on nodes that are not the controller). Thread-safe.
 */
public final class MigrationMetrics {
    private final Timer duration;
    private final Timer writePause;
    private final Map<MigrationState, Counter> finals = new EnumMap<>(MigrationState.class);

    public MigrationMetrics(MeterRegistry registry, IntSupplier inProgress) {
        this(registry, inProgress, () -> 0L);
    }

    /** @param oldestAgeMillis age of the oldest migration in progress, 0 when none is */
    public MigrationMetrics(MeterRegistry registry, IntSupplier inProgress, LongSupplier oldestAgeMillis) {
        this.duration = Timer.builder(MetricNames.MIGRATION_DURATION)
                .description("Tenant migrations from request to completed, failed or cancelled")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(30)).register(registry);
        this.writePause = Timer.builder(MetricNames.MIGRATION_WRITE_PAUSE)
                .description("How long a migration kept a tenant's writes paused (pause to switch or roll-back)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(30)).register(registry);
        for (MigrationState state : MigrationState.values()) {
            if (state.isTerminal()) {
                finals.put(state, Counter.builder(MetricNames.MIGRATION_TOTAL).tag(MetricNames.TAG_STATE,
                        state.wireName()).description("Tenant migrations by final state").register(registry));
            }
        }
        Gauge.builder(MetricNames.MIGRATION_IN_PROGRESS, inProgress, s -> s.getAsInt())
                .description("Tenant migrations not yet completed, failed or cancelled (on the controller)")
                .strongReference(true).register(registry);
        Gauge.builder(MetricNames.MIGRATION_OLDEST_AGE_SECONDS, oldestAgeMillis, s -> s.getAsLong() / 1000.0)
                .description("Age of the oldest tenant migration in progress, since requested (0: none; on the controller)")
                .strongReference(true).register(registry);
    }

    /**
     * {@code migration} just reached its final state from {@code previous} (its last event's timestamp is its end;
     * writes resumed at the switch, or at the roll-back).
     */
    void ended(Migration previous, Migration migration) {
        duration.record(Duration.ofMillis(Math.max(0, migration.updatedAt() - migration.requestedAt())));
        Counter counter = finals.get(migration.state());
        if (counter != null) {
            counter.increment();
        }
        if (migration.pausedAt() >= 0) {
            long resumedAt = previous.state() == MigrationState.SWITCHED ? previous.updatedAt() : migration.updatedAt();
            writePause.record(Duration.ofMillis(Math.max(0, resumedAt - migration.pausedAt())));
        }
    }
}
