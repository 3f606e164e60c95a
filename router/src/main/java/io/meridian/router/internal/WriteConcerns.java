package io.meridian.router.internal;

import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WriteConcern;
import io.meridian.migration.AppliedProbe;
import io.meridian.router.RouterMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write concern of the write path: which regions may count for a tenant's write ({@link #check}, before anything
 * is produced), and the wait, after this region's applier accepted the write, until enough of them applied it too
 * ({@link #await}).
 *
 * <p>A region counts when it holds a caught-up copy of the tenant (a replica that is not {@code syncing}) and this
 * node's health monitor does not see it {@code unhealthy}; the region that produced the write (the primary) always
 * counts as one. The other countable regions are asked concurrently, with the long poll
 * {@code GET /v1/replication/applied} ({@link AppliedProbe}, the same that migrations drain with), repeated until the
 * region answers that its applier passed the write's position or the deadline comes. Log order makes "applied the
 * position" mean "applied this write with the same verdict", so nothing else needs to be asked.
 *
 * <p>Local writes (the default) never get here: they do not call other regions. Thread-safe.
 */
public final class WriteConcerns {
    private static final Logger LOG = LoggerFactory.getLogger(WriteConcerns.class);
    /** Pause before asking again a region that could not be asked (connection refused, an error answer). */
    static final Duration RETRY_DELAY = Duration.ofMillis(200);

    private final String region;
    private final AppliedProbe probe;
    private final Supplier<HealthSnapshot> health;
    private final RouterMetrics metrics;

    /**
     * @param region this node's region
     * @param probe  asks a region's node how far its applier got ({@code AppliedPositionClient} in production)
     * @param health this node's view of region health
     */
    public WriteConcerns(String region, AppliedProbe probe, Supplier<HealthSnapshot> health, RouterMetrics metrics) {
        this.region = region;
        this.probe = probe;
        this.health = health;
        this.metrics = metrics;
    }

    /** The concern a write gets: the request's {@code X-Meridian-Write-Concern}, else the tenant's default. */
    public static WriteConcern effective(WriteConcern requested, Placement placement) {
        return requested != null ? requested : placement.writeConcern();
    }

    /**
     * Refuses, before anything is written, a concern the tenant cannot satisfy: more regions than it has replicas
     * ({@code 422 write_concern_unsatisfiable}), or more than are caught up and not unhealthy now
     * ({@code 503 write_concern_unavailable}, retriable).
     */
    public void check(String tenant, WriteConcern concern, Placement placement) {
        if (concern.kind() == WriteConcern.Kind.LOCAL) {
            return;
        }
        int required = concern.regionsRequired(placement.replicas().size());
        if (required > placement.replicas().size()) {
            throw ApiException.of(ErrorCode.WRITE_CONCERN_UNSATISFIABLE, "write concern " + concern + " needs "
                    + required + " regions, but tenant " + tenant + " has " + placement.replicas().size()
                    + " replica regions " + placement.replicas() + "; nothing was written. Ask for at most regions="
                    + placement.replicas().size() + " (or all)", tenant,
                    Map.of("writeConcern", concern.wireName(), "required", required,
                            "replicas", placement.replicas()), null);
        }
        List<String> countable = countable(placement);
        if (countable.size() + 1 < required) {
            Map<String, String> notCounted = notCounted(placement);
            throw ApiException.of(ErrorCode.WRITE_CONCERN_UNAVAILABLE, "write concern " + concern + " needs "
                    + required + " regions of tenant " + tenant + ", but only " + (countable.size() + 1)
                    + " can count now (" + notCounted + " cannot); nothing was written. Retry once they are"
                    + " healthy and caught up, or ask for fewer regions", tenant,
                    Map.of("writeConcern", concern.wireName(), "required", required,
                            "notCounted", notCounted), null);
        }
    }

    /** The replica regions other than this one that count for a write concern now, in placement order. */
    List<String> countable(Placement placement) {
        HealthSnapshot snapshot = health.get();
        List<String> regions = new ArrayList<>();
        for (String replica : placement.replicas()) {
            if (!replica.equals(region) && placement.isCaughtUpIn(replica) && !unhealthy(snapshot, replica)) {
                regions.add(replica);
            }
        }
        return regions;
    }

    private Map<String, String> notCounted(Placement placement) {
        HealthSnapshot snapshot = health.get();
        Map<String, String> why = new LinkedHashMap<>();
        for (String replica : placement.replicas()) {
            if (replica.equals(region)) {
                continue;
            }
            if (!placement.isCaughtUpIn(replica)) {
                why.put(replica, "syncing");
            } else if (unhealthy(snapshot, replica)) {
                why.put(replica, "unhealthy");
            }
        }
        return why;
    }

    /** Whether this node's health monitor sees {@code region} unhealthy (suspect and unknown regions are asked). */
    static boolean unhealthy(HealthSnapshot snapshot, String region) {
        return snapshot.region(region).map(RegionStatus::state).orElse(null) == RegionHealth.UNHEALTHY;
    }

    /** How a wait ended: the regions that applied the write (this one first), and those that did not in time. */
    public record Outcome(WriteConcern concern, int required, List<String> applied, List<String> missing) {
        public boolean satisfied() {
            return applied.size() >= required;
        }
    }

    /**
     * Completes once {@code concern} is met for the write at {@code position} (this region's applier already
     * accepted it), or at {@code deadlineNanos} ({@link System#nanoTime()}) with what was reached by then; never
     * exceptionally. Completes on a probe or timer thread: continue on an executor of your own.
     */
    public CompletableFuture<Outcome> await(String tenant, WriteConcern concern, Placement placement,
                                            Position position, long deadlineNanos) {
        int required = concern.regionsRequired(placement.replicas().size());
        List<String> asked = countable(placement);
        Tally tally = new Tally(concern, required, region, asked);
        long start = System.nanoTime();
        if (!tally.done()) {
            for (String replica : asked) {
                ask(replica, position, deadlineNanos, tally);
            }
            long remaining = Math.max(0, deadlineNanos - System.nanoTime());
            Executor atDeadline = CompletableFuture.delayedExecutor(remaining, TimeUnit.NANOSECONDS);
            atDeadline.execute(tally::finish);
        }
        return tally.result.whenComplete((outcome, error) -> {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            metrics.writeConcernWait(concern.wireName(), outcome.satisfied(), waited);
            if (!outcome.satisfied()) {
                LOG.warn("write concern not met in time tenant={} epoch={} position={} concern={} applied={}"
                                + " missing={} waitedMs={}", tenant, placement.epoch(), position, concern,
                        outcome.applied(), outcome.missing(), waited.toMillis());
            }
        });
    }

    private void ask(String replica, Position position, long deadlineNanos, Tally tally) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0 || tally.result.isDone()) {
            return;
        }
        Duration wait = Duration.ofNanos(remaining);
        probe.awaitApplied(replica, position.partition(), position.offset(), wait)
                .orTimeout(remaining, TimeUnit.NANOSECONDS)
                .whenComplete((answer, error) -> {
                    if (error == null && answer.offset() >= position.offset()) {
                        tally.applied(replica);
                    } else if (error == null) {
                        ask(replica, position, deadlineNanos, tally);  // the long poll ended first: ask again
                    } else {
                        LOG.debug("write concern: region {} not asked ({}), retrying", replica, error.toString());
                        CompletableFuture.delayedExecutor(RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS)
                                .execute(() -> ask(replica, position, deadlineNanos, tally));
                    }
                });
    }

    /** The regions that applied a write so far; completes {@link #result} once enough did, or at the deadline. */
    private static final class Tally {
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        private final WriteConcern concern;
        private final int required;
        private final List<String> asked;
        private final List<String> applied = new ArrayList<>();

        Tally(WriteConcern concern, int required, String self, List<String> asked) {
            this.concern = concern;
            this.required = required;
            this.asked = asked;
            applied.add(self);
            if (applied.size() >= required) {
                finish();
            }
        }

        boolean done() {
            return result.isDone();
        }

        void applied(String region) {
            boolean enough;
            synchronized (this) {
                if (!applied.contains(region)) {
                    applied.add(region);
                }
                enough = applied.size() >= required;
            }
            if (enough) {
                finish();
            }
        }

        void finish() {
            Outcome outcome;
            synchronized (this) {
                List<String> missing = asked.stream().filter(r -> !applied.contains(r)).toList();
                outcome = new Outcome(concern, required, List.copyOf(applied), missing);
            }
            result.complete(outcome);
        }
    }
}
