package io.meridian.migration.internal;

import io.meridian.election.controller.ControllerContext;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.Placement;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationException;
import io.meridian.migration.MigrationInProgressException;
import io.meridian.migration.MigrationPlan;
import io.meridian.migration.MigrationSettings;
import io.meridian.migration.NotAReplicaException;
import io.meridian.migration.SameRegionException;
import io.meridian.migration.TargetLaggingException;
import io.meridian.migration.TargetNeedsReseedException;
import io.meridian.migration.TargetPausedException;
import io.meridian.migration.TargetSyncingException;
import io.meridian.migration.TargetUnhealthyException;
import io.meridian.migration.TenantNotFoundException;
import io.meridian.migration.TooManyMigrationsException;
import io.meridian.migration.UnknownRegionException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Validation of a migration against the controller's current view, and the dry-run plan built from it. Reads only:
 * never writes. Used on the duties thread.
 */
final class Assessor {
    private final MigrationSettings settings;

    Assessor(MigrationSettings settings) {
        this.settings = settings;
    }

    /**
     * What the controller sees of moving {@code tenant} to {@code toRegion} now.
     *
     * @param placement     the tenant's placement, null when it has none
     * @param partition     the tenant's WAL partition
     * @param walEndOffset  the partition's read_committed end offset, -1 when not looked up
     * @param targetApplied the highest offset of the partition the target applied, -1 when it reported none
     * @param lag           entries the target has yet to apply, -1 when not computed. Counts from the end offset, so
     *                      it includes the transaction markers of the last few controller transactions
     * @param problem       why {@code start} would refuse it, null when it would not
     */
    record Assessment(String tenant, String toRegion, Placement placement, int partition, long walEndOffset,
                      long targetApplied, long lag, MigrationException problem) {
        Optional<MigrationException> refusal() {
            return Optional.ofNullable(problem);
        }
    }

    /**
     * Checks in order: tenant known, region known, no other active migration, target not the primary, target a
     * replica, target healthy, target not needing a reseed, target not paused, target lag within the limit, and (for
     * a new request) neither region over {@code migration.max.per.region} active migrations. The lag is measured
     * whenever tenant and region are known.
     *
     * @param found  the tenant's placement as the controller knows it
     * @param selfId the migration being validated ("" for a new request): not counted as "another" migration
     */
    Assessment assess(ControllerContext context, Optional<Placement> found, MigrationSource source, MigrationBook book,
                      RateSampler rates, String tenant, String toRegion, String selfId, long now) {
        int partition = context.walPartition(tenant);
        if (found.isEmpty()) {
            return new Assessment(tenant, toRegion, null, partition, -1, -1, -1, new TenantNotFoundException(tenant));
        }
        Placement placement = found.get();
        if (!settings.regions().contains(toRegion) && !context.health().knows(toRegion)) {
            return new Assessment(tenant, toRegion, placement, partition, -1, -1, -1,
                    new UnknownRegionException(tenant, toRegion, new TreeSet<>(settings.regions())));
        }
        long end = source.walEndOffsets(List.of(partition)).getOrDefault(partition, 0L);
        rates.observe(RateSampler.wal(partition), end, now);
        Optional<RegionStatus> target = context.health().region(toRegion);
        long applied = target.map(s -> s.appliedOffset(partition).orElse(-1)).orElse(-1L);
        long lag = Math.max(0, end - 1 - applied);
        MigrationException problem = null;
        Optional<Migration> other = book.activeFor(tenant, selfId);
        if (other.isPresent()) {
            problem = new MigrationInProgressException(tenant, other.get().id(), other.get().state().wireName());
        } else if (placement.primary().equals(toRegion)) {
            problem = new SameRegionException(tenant, toRegion);
        } else if (!placement.isReplicatedTo(toRegion)) {
            problem = new NotAReplicaException(tenant, toRegion, placement.replicas());
        } else if (!placement.isCaughtUpIn(toRegion)) {
            problem = new TargetSyncingException(tenant, selfId, toRegion);
        } else if (target.isEmpty() || target.get().state() != RegionHealth.HEALTHY) {
            problem = new TargetUnhealthyException(tenant, selfId, toRegion,
                    target.map(s -> s.state().wireName()).orElse("unknown to the health monitor"));
        } else if (target.get().needsReseed()) {
            problem = new TargetNeedsReseedException(tenant, selfId, toRegion);
        } else if (target.get().paused()) {
            problem = new TargetPausedException(tenant, selfId, toRegion);
        } else if (lag > settings.maxTargetLagEntries()) {
            problem = new TargetLaggingException(tenant, selfId, toRegion, lag, settings.maxTargetLagEntries());
        } else if (selfId.isEmpty()) {
            problem = overBound(book, tenant, placement.primary(), toRegion);
        }
        return new Assessment(tenant, toRegion, placement, partition, end, applied, lag, problem);
    }

    /**
     * A new migration from {@code from} to {@code to} when either region already takes part in
     * {@link MigrationSettings#maxPerRegion()} active migrations; null otherwise. Only new requests are bounded: a
     * migration already requested is carried on whatever the count.
     */
    private MigrationException overBound(MigrationBook book, String tenant, String from, String to) {
        int fromCount = 0;
        int toCount = 0;
        for (Migration m : book.active()) {
            if (m.fromRegion().equals(from) || m.toRegion().equals(from)) {
                fromCount++;
            }
            if (m.fromRegion().equals(to) || m.toRegion().equals(to)) {
                toCount++;
            }
        }
        int max = settings.maxPerRegion();
        if (fromCount >= max) {
            return new TooManyMigrationsException(tenant, from, fromCount, max);
        }
        return toCount >= max ? new TooManyMigrationsException(tenant, to, toCount, max) : null;
    }

    /**
     * The dry-run answer. The drain is estimated from the lag and the faster of the partition's recent append rate
     * and the target's recent apply rate (a target that keeps up applies at least as fast as the log grows), plus one
     * heartbeat interval: the worst case, when the target cannot be asked directly and the controller learns its
     * progress from its heartbeats (asked, it answers the moment it applied the pause fence).
     */
    MigrationPlan plan(Assessment a, RateSampler rates) {
        Placement p = a.placement();
        long hb = settings.heartbeatInterval().toMillis();
        double walRate = Math.max(0, rates.rate(RateSampler.wal(a.partition())).orElse(0));
        double applyRate = Math.max(0, rates.rate(RateSampler.applied(a.toRegion(), a.partition())).orElse(0));
        double drainRate = Math.max(walRate, applyRate);
        long estimate;
        if (a.lag() <= 0) {
            estimate = hb;
        } else if (drainRate > 0) {
            estimate = hb + (long) Math.ceil(a.lag() * 1000.0 / drainRate);
        } else {
            estimate = -1;
        }
        long budget = settings.pauseBudget().toMillis();
        List<MigrationPlan.Step> steps = List.of(
                new MigrationPlan.Step("validate", "check that " + a.toRegion() + " is a healthy replica of "
                        + a.tenant() + " lagging at most " + settings.maxTargetLagEntries() + " entries"),
                new MigrationPlan.Step("pause", "one transaction: placement epoch " + p.epoch() + " -> "
                        + (p.epoch() + 1) + " with writes paused on " + p.primary() + ", a fence into WAL partition "
                        + a.partition() + ", and the writes_paused and draining events; routers hold writes for up to "
                        + budget + " ms"),
                new MigrationPlan.Step("drain", "wait until " + a.toRegion() + " has applied partition "
                        + a.partition() + " up to the pause fence, as it answers when asked (or its heartbeats say)"
                        + " (lag now " + a.lag() + " entries, estimated "
                        + (estimate < 0 ? "unknown: no progress measured yet" : estimate + " ms") + ")"),
                new MigrationPlan.Step("switch", "one transaction: placement epoch " + (p.epoch() + 2)
                        + " with primary " + a.toRegion() + " and writes active, its fence, and the switched and"
                        + " completed events; not switched within " + settings.timeout().toMillis()
                        + " ms of the request, the migration rolls back (primary " + p.primary()
                        + ", writes active)"));
        MigrationException problem = a.problem();
        return new MigrationPlan(a.tenant(), p.primary(), a.toRegion(), p.epoch(), problem == null,
                problem == null ? "" : problem.code(), problem == null ? "" : problem.getMessage(), steps, a.lag(),
                settings.maxTargetLagEntries(), walRate, estimate, budget, estimate > budget,
                settings.timeout().toMillis());
    }
}
