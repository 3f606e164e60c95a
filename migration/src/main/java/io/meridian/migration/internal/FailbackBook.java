package io.meridian.migration.internal;

import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverTrigger;
import io.meridian.election.failover.TenantFailover;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.Placement;
import io.meridian.migration.FailbackPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What the failback duty knows, folded from the log: per tenant its latest automatic failover (from
 * {@code meridian.controller}) and what became of its failback (the {@link MigrationEvent.Failback} events of
 * {@code meridian.migrations}). Events of the two topics may arrive in any interleaving: every piece is kept per
 * failover epoch, and only the newest counts, so the fold gives the same answer whatever the order. Duties thread
 * only.
 */
public final class FailbackBook {

    /**
     * The latest automatic failover that moved a tenant: from {@code fromRegion} to {@code toRegion}; {@code origin} is
     * where the chain of automatic failovers it ends started (us-east → eu-west, then eu-west → ap-south: us-east).
     */
    record Failover(long epoch, String fromRegion, String toRegion, long finishedAt, String origin) {
    }

    /** A failback started for the failover of {@code failoverEpoch} (0: an operator's trigger without one). */
    public record Run(String tenant, long failoverEpoch, String migrationId, String fromRegion, String toRegion, long startedAt) {
    }

    private final Map<String, Failover> failovers = new HashMap<>();
    /** Tenant → the highest failover epoch whose failback is over (completed or cancelled). */
    private final Map<String, Long> closed = new HashMap<>();
    /** Tenant → its failback migration while it runs. */
    private final Map<String, Run> runs = new HashMap<>();
    /** Tenant → (failover epoch, earliest retry) after a rolled-back failback. */
    private final Map<String, long[]> retries = new HashMap<>();
    /** Tenant → the highest failover epoch whose failback was announced pending. */
    private final Map<String, Long> announced = new HashMap<>();

    /** An automatic failover's promotions open a failback each (a newer failover of a tenant replaces older ones). */
    public void onFailover(FailoverEvent event) {
        if (event.trigger() != FailoverTrigger.AUTOMATIC) {
            return;
        }
        for (FailoverEvent.TenantResult t : event.tenants()) {
            if (t.outcome() == TenantFailover.Outcome.PROMOTED) {
                Failover known = failovers.get(t.tenant());
                if (known == null || known.epoch() < t.epochAfter()) {
                    String origin = known != null && known.toRegion().equals(t.primaryBefore()) ? known.origin()
                            : t.primaryBefore();
                    failovers.put(t.tenant(), new Failover(t.epochAfter(), t.primaryBefore(), t.primaryAfter(),
                            event.finishedAtMillis(), origin));
                }
            }
        }
    }

    /** Folds one failback event; {@code after} is the hysteresis a roll-back waits for. */
    public void onFailback(MigrationEvent.Failback event, long afterMillis) {
        String tenant = event.tenant();
        long epoch = event.failoverEpoch();
        switch (event.action()) {
            case MigrationEvent.Failback.PENDING -> announced.merge(tenant, epoch, Math::max);
            case MigrationEvent.Failback.STARTED -> {
                Run run = runs.get(tenant);
                if (run == null || run.failoverEpoch() <= epoch) {
                    runs.put(tenant, new Run(tenant, epoch, event.migrationId(), event.fromRegion(), event.toRegion(),
                            event.timestamp()));
                }
            }
            case MigrationEvent.Failback.ROLLED_BACK -> {
                endRun(tenant, event.migrationId());
                retries.merge(tenant, new long[] {epoch, event.timestamp() + afterMillis},
                        (a, b) -> a[0] > b[0] || (a[0] == b[0] && a[1] >= b[1]) ? a : b);
            }
            case MigrationEvent.Failback.COMPLETED, MigrationEvent.Failback.CANCELLED -> {
                endRun(tenant, event.migrationId());
                closed.merge(tenant, epoch, Math::max);
            }
            default -> {
                // an action of a later version: nothing this one acts on
            }
        }
    }

    private void endRun(String tenant, String migrationId) {
        Run run = runs.get(tenant);
        if (run != null && (migrationId.isEmpty() || run.migrationId().equals(migrationId))) {
            runs.remove(tenant);
        }
    }

    /** Failback migrations running now, by tenant. */
    public Map<String, Run> runs() {
        return Map.copyOf(runs);
    }

    public Optional<Run> run(String tenant) {
        return Optional.ofNullable(runs.get(tenant));
    }

    /** The failover epoch a waiting failback of {@code tenant} undoes, if one waits. */
    public Optional<Long> openFailover(Placement placement) {
        return Optional.ofNullable(candidate(placement)).map(FailbackPolicy.Candidate::failoverEpoch);
    }

    /** Whether the pending failback of the failover of {@code epoch} was announced already. */
    public boolean announced(String tenant, long epoch) {
        return announced.getOrDefault(tenant, -1L) >= epoch;
    }

    /**
     * Every tenant with a failback waiting or running: its latest automatic failover is not closed, nothing moved it
     * since (its primary is still where that failover put it), and its preferred primary is set and is where that
     * chain of automatic failovers moved it away from; or a failback migration of it runs.
     */
    public List<FailbackPolicy.Candidate> candidates(Function<String, Optional<Placement>> placements) {
        // Only a tenant the book knows (a failover moved it, or a failback of it runs) can be one: asked by tenant, in
        // name order, rather than scanning every placement each tick (100,000 tenants: a sixth of the controller's
        // thread in a profile of bench scale).
        SortedSet<String> known = new TreeSet<>(failovers.keySet());
        known.addAll(runs.keySet());
        List<FailbackPolicy.Candidate> out = new ArrayList<>();
        for (String tenant : known) {
            placements.apply(tenant).flatMap(this::candidateOf).ifPresent(out::add);
        }
        return out;
    }

    /** {@code p}'s tenant as a candidate, if a failback of it waits or runs. */
    public Optional<FailbackPolicy.Candidate> candidateOf(Placement p) {
        return Optional.ofNullable(candidate(p));
    }

    private FailbackPolicy.Candidate candidate(Placement p) {
        Run run = runs.get(p.tenant());
        if (run != null) {
            Failover f = failovers.get(p.tenant());
            return new FailbackPolicy.Candidate(p.tenant(), run.fromRegion(), run.toRegion(), run.failoverEpoch(),
                    f == null ? -1 : f.finishedAt(), 0, true);
        }
        Failover f = failovers.get(p.tenant());
        String preferred = p.preferredPrimary();
        if (f == null || preferred == null || preferred.equals(p.primary()) || !preferred.equals(f.origin())
                || !p.primary().equals(f.toRegion())
                || closed.getOrDefault(p.tenant(), -1L) >= f.epoch() || p.epoch() < f.epoch()) {
            return null;
        }
        long[] retry = retries.get(p.tenant());
        long retryAfter = retry != null && retry[0] == f.epoch() ? retry[1] : 0;
        return new FailbackPolicy.Candidate(p.tenant(), p.primary(), preferred, f.epoch(), f.finishedAt(), retryAfter,
                false);
    }
}
