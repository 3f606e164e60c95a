package io.meridian.migration.internal;

import io.meridian.election.controller.ControllerContext;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Position;
import io.meridian.migration.AppliedProbe;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far a migration's target has drained: its applied offset in the tenant's WAL partition against the pause fence,
 * and a progress event every {@code progressInterval} while it drains.
 *
 * <p>Two sources say how far the target got, and the higher one counts: the target's heartbeats (every interval,
 * through the health monitor), and the target's own answer to a question the controller puts to it directly
 * ({@link AppliedProbe}) as soon as the drain starts: "answer when your applier has applied the pause fence". The
 * answer completes on the probe's thread and comes back to the duties thread through
 * {@link ControllerContext#runSoon}, which then advances the migration at once: the switch follows the drain by an
 * HTTP answer, not by up to a heartbeat interval plus a tick. A question that cannot be answered (the target is down,
 * runs another version) is asked again at the next tick; meanwhile the heartbeats keep the drain going. An answer from
 * another region or partition than asked is ignored.
 *
 * <p><b>Which position, and why it is safe.</b> Both sources carry the target applier's <em>applied</em> offset (set
 * once the applier processed a record and wrote its outcome to its state stores, before Kafka Streams commits them),
 * as the drain always has. The applier reads the WAL {@code read_committed}, in log order, and decides each record by
 * rules that depend on the log alone. Should the target crash before its commit, exactly-once rolls its stores back
 * and it applies the same records again, in the same order, to the same outcome; and the switch fence lies after the
 * pause fence in the same partition, so the target cannot accept a write as the new primary before it has (again)
 * applied everything up to the pause fence. Waiting for the committed offset would be as safe and cost up to one
 * commit interval more per migration, for nothing.
 *
 * <p>Duties thread only, except the probe's completion, which only hands its answer to the duties thread.
 */
final class DrainProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrainProgress.class);
    /** How long one question waits on the target; a drain that takes longer asks again. */
    static final Duration PROBE_WAIT = Duration.ofSeconds(5);

    /** How far the target applied the fence's partition (-1: nothing known), and who said so. */
    record Seen(long offset, String source) {
    }

    private final ControllerContext context;
    private final MigrationSettings settings;
    private final RateSampler rates;
    private final AppliedProbe probe;
    private final Clock clock;
    private final Consumer<String> advance;
    private final Map<String, Long> lastProgressAt = new HashMap<>();
    /** Migration id → the highest offset its target answered for the fence's partition. */
    private final Map<String, AppliedProbe.Answer> answers = new HashMap<>();
    /** Migration id → the question in flight (at most one each). */
    private final Map<String, CompletableFuture<AppliedProbe.Answer>> asking = new HashMap<>();
    /** Migrations whose target could not be asked (logged once each). */
    private final Set<String> unanswered = new HashSet<>();
    /** Migration id → when its target was first asked (the drain's start), and when an answer said it passed. */
    private final Map<String, Long> firstAskedAt = new HashMap<>();
    private final Map<String, Long> passedAt = new HashMap<>();

    /** @param advance advances a migration (on the duties thread) once its target answered */
    DrainProgress(ControllerContext context, MigrationSettings settings, RateSampler rates, AppliedProbe probe,
                  Clock clock, Consumer<String> advance) {
        this.context = context;
        this.settings = settings;
        this.rates = rates;
        this.probe = probe;
        this.clock = clock;
        this.advance = advance;
    }

    /** How far the migration's target applied the fence's partition: the higher of its answer and its heartbeats. */
    Seen applied(Migration m, Position fence) {
        long heartbeats = heartbeats(m.toRegion(), fence);
        AppliedProbe.Answer answer = answers.get(m.id());
        if (answer != null && answer.offset() >= 0 && answer.offset() >= heartbeats) {
            return new Seen(answer.offset(), "as " + answer.node() + " answered" + timing(m));
        }
        return new Seen(heartbeats, "as its heartbeats report" + timing(m));
    }

    /**
     * Where the pause went, for the switch's reason: until the target was asked (the pause's transaction), and until
     * it answered that it passed the fence (its applier reading and applying up to it, and the answer's way back).
     */
    private String timing(Migration m) {
        Long asked = firstAskedAt.get(m.id());
        if (asked == null || m.pausedAt() < 0) {
            return "";
        }
        Long passed = passedAt.get(m.id());
        return " (asked " + (asked - m.pausedAt()) + " ms into the pause"
                + (passed == null ? ", no answer yet" : ", answered " + (passed - asked) + " ms later") + ")";
    }

    /**
     * Asks the migration's target to answer once it applied the pause fence, unless a question is in flight already.
     * The answer advances the migration at once when it passed the fence, or asks again when it came after a full
     * wait (the drain is just slow); any other answer waits for the next tick.
     */
    void ask(Migration m, Position fence) {
        if (probe == AppliedProbe.NONE || asking.containsKey(m.id())) {
            return;
        }
        long askedAt = clock.millis();
        firstAskedAt.putIfAbsent(m.id(), askedAt);
        CompletableFuture<AppliedProbe.Answer> asked;
        try {
            asked = probe.awaitApplied(m.toRegion(), fence.partition(), fence.offset(), PROBE_WAIT);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<AppliedProbe.Answer> question = asked;
        asking.put(m.id(), question);
        question.whenComplete((answer, error) -> {
            try {
                context.runSoon(() -> answered(m, fence, question, askedAt, answer, error));
            } catch (RuntimeException e) {
                LOG.debug("answer of {} for migration={} dropped: the term is over ({})", m.toRegion(), m.id(),
                        e.toString());
            }
        });
    }

    private void answered(Migration m, Position fence, CompletableFuture<AppliedProbe.Answer> question, long askedAt,
                          AppliedProbe.Answer answer, Throwable error) {
        if (!asking.remove(m.id(), question)) {
            return;  // forgotten: the migration ended, or the term closed
        }
        if (error != null) {
            if (unanswered.add(m.id())) {
                LOG.info("cannot ask {} directly how far it applied migration={} fence={}; following its heartbeats"
                        + " and asking again every tick: {}", m.toRegion(), m.id(), fence, error.toString());
            }
            return;
        }
        if (!answer.region().equals(m.toRegion()) || answer.partition() != fence.partition()) {
            LOG.warn("ignoring an answer of region={} partition={} for migration={}: asked {} about partition {}",
                    answer.region(), answer.partition(), m.id(), m.toRegion(), fence.partition());
            return;
        }
        answers.merge(m.id(), answer, (old, now) -> now.offset() >= old.offset() ? now : old);
        boolean passed = answer.offset() >= fence.offset();
        if (passed) {
            passedAt.putIfAbsent(m.id(), clock.millis());
        }
        boolean waitedFully = clock.millis() - askedAt >= PROBE_WAIT.toMillis() / 2;
        if (passed || waitedFully) {
            advance.accept(m.id());
        }
    }

    /**
     * The progress event to write now, if one is due. The first comes one interval after the drain started (or this
     * controller took over).
     */
    Optional<MigrationEvent.Progress> report(Migration m, Position fence, long applied, long now) {
        Long last = lastProgressAt.putIfAbsent(m.id(), now);
        if (last == null || now - last < settings.progressInterval().toMillis()) {
            return Optional.empty();
        }
        lastProgressAt.put(m.id(), now);
        double rate = Math.max(0, rates.rate(RateSampler.applied(m.toRegion(), fence.partition())).orElse(0));
        return Optional.of(new MigrationEvent.Progress(m.id(), m.tenant(), m.pauseFence(), applied,
                fence.offset() - applied, rate, context.epoch(), now));
    }

    /** For a failure message: how far the target got, while the writes are paused. */
    String detail(Migration m) {
        if (m.state() != MigrationState.DRAINING && m.state() != MigrationState.WRITES_PAUSED) {
            return "";
        }
        Position fence = Position.parse(m.pauseFence());
        return " (" + m.toRegion() + " applied up to " + fence.partition() + ":" + applied(m, fence).offset()
                + " of the pause fence " + fence + ")";
    }

    /** The migration ended: stop asking about it. */
    void forget(String migrationId) {
        lastProgressAt.remove(migrationId);
        answers.remove(migrationId);
        unanswered.remove(migrationId);
        firstAskedAt.remove(migrationId);
        passedAt.remove(migrationId);
        CompletableFuture<AppliedProbe.Answer> question = asking.remove(migrationId);
        if (question != null) {
            question.cancel(false);
        }
    }

    /** The book was rebuilt: progress reports start over; answers stay true (a migration's fence never moves). */
    void clear() {
        lastProgressAt.clear();
    }

    /** The term ended: drop every question in flight. */
    @Override
    public void close() {
        asking.values().forEach(question -> question.cancel(false));
        asking.clear();
        answers.clear();
        firstAskedAt.clear();
        passedAt.clear();
    }

    /** The offset {@code region} applied up to in the fence's partition as its heartbeats say, -1 when none. */
    private long heartbeats(String region, Position fence) {
        return context.health().region(region).map(s -> s.appliedOffset(fence.partition()).orElse(-1)).orElse(-1L);
    }
}
