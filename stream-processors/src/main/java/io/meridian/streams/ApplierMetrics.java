package io.meridian.streams;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Position;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts what this node's region applier decided: records by verdict and conflicts by strategy. Every counter is
 * registered up front, so its series exists (at 0) before the first event and {@code increase()} sees the first one.
 * Thread-safe.
 */
public final class ApplierMetrics implements ApplyListener {
    private final Map<ApplyOutcome.Verdict, Counter> verdicts = new EnumMap<>(ApplyOutcome.Verdict.class);
    private final Map<ConflictStrategy, Counter> conflicts = new EnumMap<>(ConflictStrategy.class);

    public ApplierMetrics(MeterRegistry registry) {
        for (ApplyOutcome.Verdict verdict : ApplyOutcome.Verdict.values()) {
            verdicts.put(verdict, Counter.builder(MetricNames.APPLIER_RECORDS)
                    .description("Data records this node's region applier decided, by verdict")
                    .tag(MetricNames.TAG_VERDICT, verdict.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        for (ConflictStrategy strategy : ConflictStrategy.values()) {
            conflicts.put(strategy, Counter.builder(MetricNames.REPLICATION_CONFLICTS)
                    .description("Stale-epoch records resolved by the tenant's conflict strategy in this region")
                    .tag(MetricNames.TAG_STRATEGY, strategy.wireName())
                    .register(registry));
        }
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
        verdicts.get(outcome.verdict()).increment();
    }

    @Override
    public void onApplied(Position position) {
    }

    @Override
    public void onConflict(ConflictRecord conflict) {
        conflicts.get(conflict.strategy()).increment();
    }
}
