package io.meridian.streams;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Position;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
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
    private final Map<ConflictStrategy, Counter> writeConflicts = new EnumMap<>(ConflictStrategy.class);
    private final Map<DeadLetter.Code, Counter> deadLetters = new EnumMap<>(DeadLetter.Code.class);
    private final Clock clock;
    /** Dead letters per second of the last minute, a ring indexed by epoch second. */
    private final long[] perSecond = new long[60];
    private final long[] secondOf = new long[60];

    public ApplierMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        for (ApplyOutcome.Verdict verdict : ApplyOutcome.Verdict.values()) {
            verdicts.put(verdict, Counter.builder(MetricNames.APPLIER_RECORDS)
                    .description("Data records this node's region applier decided, by verdict")
                    .tag(MetricNames.TAG_VERDICT, verdict.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        for (ConflictStrategy strategy : ConflictStrategy.values()) {
            conflicts.put(strategy, conflictCounter(registry, strategy, CAUSE_STALE_EPOCH));
            writeConflicts.put(strategy, conflictCounter(registry, strategy, ConflictRecord.WRITE_CONFLICT));
        }
        for (DeadLetter.Code code : DeadLetter.Code.values()) {
            deadLetters.put(code, Counter.builder(MetricNames.APPLIER_DEAD_LETTERS)
                    .description("WAL records this node's region applier sent to meridian.dlq instead of applying")
                    .tag(MetricNames.TAG_REASON, code.wireName())
                    .register(registry));
        }
    }

    /** The {@code cause} tag of stale-epoch conflicts (their records leave the cause out). */
    public static final String CAUSE_STALE_EPOCH = "stale_epoch";

    private static Counter conflictCounter(MeterRegistry registry, ConflictStrategy strategy, String cause) {
        return Counter.builder(MetricNames.REPLICATION_CONFLICTS)
                .description("Conflicting records resolved by the tenant's conflict strategy in this region, by cause:"
                        + " a stale epoch, or a multi-primary write conflict")
                .tag(MetricNames.TAG_STRATEGY, strategy.wireName())
                .tag(MetricNames.TAG_CAUSE, cause)
                .register(registry);
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
        (conflict.isWriteConflict() ? writeConflicts : conflicts).get(conflict.strategy()).increment();
    }

    @Override
    public void onDeadLetter(DeadLetter letter) {
        deadLetters.get(letter.code()).increment();
        long second = clock.millis() / 1000;
        int slot = (int) (second % perSecond.length);
        synchronized (perSecond) {
            if (secondOf[slot] != second) {
                secondOf[slot] = second;
                perSecond[slot] = 0;
            }
            perSecond[slot]++;
        }
    }

    /** Dead letters of this node's applier in the last minute, for the health report. */
    public long deadLettersLastMinute() {
        long now = clock.millis() / 1000;
        long total = 0;
        synchronized (perSecond) {
            for (int slot = 0; slot < perSecond.length; slot++) {
                if (now - secondOf[slot] < perSecond.length) {
                    total += perSecond[slot];
                }
            }
        }
        return total;
    }
}
