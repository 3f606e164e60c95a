package io.meridian.election.failover;

import io.meridian.election.failover.FailoverDecision.Inhibited;
import io.meridian.election.failover.FailoverDecision.NoQuorum;
import io.meridian.election.failover.FailoverDecision.NoTenantsToMove;
import io.meridian.election.failover.FailoverDecision.NotUnhealthy;
import io.meridian.election.failover.FailoverDecision.NotUnhealthyLongEnough;
import io.meridian.election.failover.FailoverDecision.Recovering;
import io.meridian.election.failover.FailoverDecision.Refusal;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.Placement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * Decides failovers. Pure: given a {@link HealthSnapshot}, the placements, the {@link InhibitWindows} and the time,
 * it returns what to do and why, and writes nothing.
 *
 * <p><b>Automatic</b> failover of a region needs all of: the region has been {@code UNHEALTHY} for
 * {@link FailoverPolicy#leaderTimeout()} and was not heard from again (within its evaluation window, or in a window
 * counted as a success); a quorum of the <em>other</em> regions have a node whose recent heartbeat
 * suspects it (so a controller that is itself cut off fails nothing over: it hears no recent suspicions); it is
 * outside its inhibit window (unless the window was opened by a failover of the region that stopped between its
 * parts, {@link InhibitWindows#unfinished}: the rest of its tenants then move at once); and some tenant has its
 * primary there and a healthy replica to take over (a failover that would move nothing waits instead, so that it
 * opens no inhibit window).
 *
 * <p><b>New primary</b> of each tenant whose primary is the region: among the tenant's other replica regions that
 * are {@code HEALTHY}, the highest applied offset in the tenant's WAL partition (the maximum over the region's
 * nodes; none reported ranks lowest), then the highest priority, then the region name that sorts first. The new
 * placement is the old one with that primary and epoch + 1 (replicas, writes, strategy and mode unchanged). A tenant
 * with no healthy replica stays where it is and is reported; tenants whose primary is elsewhere are not touched.
 *
 * <p><b>Manual</b> failover takes the same path, without the health, quorum and leader-timeout conditions (an
 * operator may move tenants off a healthy region). With a target, every tenant that has the target as a replica
 * moves there and the others are reported as skipped; the target must be a known, {@code HEALTHY} region other than
 * the failed one and a replica of at least one tenant to move. Inside the inhibit window it needs {@code force},
 * unless the window's failover stopped between its parts (finishing it needs no force).
 *
 * <p>Immutable and thread-safe, provided {@code walPartitionOf} is.
 */
public final class FailoverPlanner {
    /** Best first: highest applied offset, then highest priority, then region name. */
    private static final Comparator<FailoverCandidate> RANK = Comparator.comparingLong(FailoverCandidate::appliedOffset).reversed()
            .thenComparing(Comparator.comparingInt(FailoverCandidate::priority).reversed())
            .thenComparing(FailoverCandidate::region);

    private final FailoverPolicy policy;
    private final ToIntFunction<String> walPartitionOf;

    /**
     * @param policy         timeouts, quorum, inhibit window, priorities
     * @param walPartitionOf tenant → its WAL partition (the caller applies Kafka's partitioner to the tenant key)
     */
    public FailoverPlanner(FailoverPolicy policy, ToIntFunction<String> walPartitionOf) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.walPartitionOf = Objects.requireNonNull(walPartitionOf, "walPartitionOf");
    }

    public FailoverPolicy policy() {
        return policy;
    }

    /**
     * Whether {@code region} is to be failed over automatically at {@code nowMillis}: the plan, or every reason not.
     *
     * @param controllerEpoch the planning controller's epoch, carried into the plan
     * @throws IllegalArgumentException if the health snapshot does not know the region
     */
    public FailoverDecision planAutomatic(String region, HealthSnapshot health, List<Placement> placements,
                                          InhibitWindows inhibit, long nowMillis, long controllerEpoch) {
        requireSameWindow(inhibit);
        RegionStatus status = health.region(region).orElseThrow(() -> new IllegalArgumentException(
                "unknown region '" + region + "'; known regions: " + health.regionNames()));
        List<Placement> affected = primariesIn(region, placements);
        SortedSet<String> observers = observers(status, health);
        int otherRegions = health.regions().size() - 1;
        int required = policy.requiredObservers(otherRegions);
        long leaderTimeoutMillis = policy.leaderTimeout().toMillis();

        List<Refusal> refusals = new ArrayList<>();
        if (status.state() != RegionHealth.UNHEALTHY) {
            refusals.add(new NotUnhealthy(status.state(), status.sinceMillis()));
        } else if (nowMillis - status.sinceMillis() < leaderTimeoutMillis) {
            refusals.add(new NotUnhealthyLongEnough(status.sinceMillis(), status.sinceMillis() + leaderTimeoutMillis));
        }
        OptionalLong heardAgo = status.lastHeartbeatAgeMillis();
        if (status.state() == RegionHealth.UNHEALTHY && heardAgo.isPresent()
                && (status.consecutiveSuccesses() > 0 || heardAgo.getAsLong() < status.evaluationWindowMillis())) {
            // Heard from again: failing it over now would move tenants off a region that is coming back (after a
            // cold start, every region is unhealthy until its appliers beat, and a tenant placed then was moved).
            refusals.add(new Recovering(heardAgo.getAsLong()));
        }
        if (observers.size() < required) {
            refusals.add(new NoQuorum(observers, required, otherRegions));
        }
        // The window of a failover stopped between its parts does not hold against finishing it.
        boolean finishing = inhibit.isInhibited(region, nowMillis) && inhibit.unfinished(region);
        if (inhibit.isInhibited(region, nowMillis) && !finishing) {
            refusals.add(new Inhibited(inhibit.until(region).orElseThrow()));
        }
        if (affected.isEmpty()) {
            refusals.add(new NoTenantsToMove());
        }
        if (!refusals.isEmpty()) {
            return new FailoverDecision.Refused(region, refusals);
        }
        FailoverPlan plan = new FailoverPlan(FailoverTrigger.AUTOMATIC, region, Optional.empty(), false, observers,
                controllerEpoch, nowMillis, planTenants(region, affected, Optional.empty(), health));
        if (plan.promoted().isEmpty()) {
            return new FailoverDecision.Refused(region, List.of(new FailoverDecision.NoHealthyReplica(affected.size())));
        }
        String why = "failing over '" + region + "': unhealthy since " + status.sinceMillis() + " (at least "
                + FailoverPolicy.LEADER_TIMEOUT_CONFIG + "=" + leaderTimeoutMillis + " ms), suspected by "
                + observers + " (" + required + " of " + otherRegions + " required), "
                + (finishing ? "finishing its failover that stopped between parts (inside the window it opened)"
                        : "outside its inhibit window");
        return new FailoverDecision.Proceed(plan, why);
    }

    /** {@link #planAutomatic} for every region that is {@code UNHEALTHY} in the snapshot, by region name. */
    public List<FailoverDecision> planAutomaticForUnhealthy(HealthSnapshot health, List<Placement> placements,
                                                            InhibitWindows inhibit, long nowMillis,
                                                            long controllerEpoch) {
        return health.regions().values().stream()
                .filter(status -> status.state() == RegionHealth.UNHEALTHY)
                .map(status -> planAutomatic(status.region(), health, placements, inhibit, nowMillis,
                        controllerEpoch))
                .toList();
    }

    /**
     * A manual failover of {@code region}, to {@code target} if given, else to the best healthy replica per tenant.
     * Errors, in the order checked: {@link ManualFailoverError.UnknownRegion}, {@link ManualFailoverError.InvalidTarget}
     * (unknown, the region itself, not healthy, or a replica of none of the tenants to move), and
     * {@link ManualFailoverError.Inhibited} unless {@code force}.
     */
    public ManualFailoverResult planManual(String region, Optional<String> target, boolean force,
                                           HealthSnapshot health, List<Placement> placements, InhibitWindows inhibit,
                                           long nowMillis, long controllerEpoch) {
        requireSameWindow(inhibit);
        Objects.requireNonNull(target, "target");
        Optional<RegionStatus> status = health.region(region);
        if (status.isEmpty()) {
            return reject(new ManualFailoverError.UnknownRegion(region, health.regionNames()));
        }
        List<Placement> affected = primariesIn(region, placements);
        if (target.isPresent()) {
            Optional<String> invalid = invalidTarget(region, target.get(), health, affected);
            if (invalid.isPresent()) {
                return reject(new ManualFailoverError.InvalidTarget(region, target.get(), invalid.get()));
            }
        }
        if (!force && inhibit.isInhibited(region, nowMillis) && !inhibit.unfinished(region)) {
            return reject(new ManualFailoverError.Inhibited(region, inhibit.until(region).orElseThrow()));
        }
        return new ManualFailoverResult.Planned(new FailoverPlan(FailoverTrigger.MANUAL, region, target, force,
                observers(status.get(), health), controllerEpoch, nowMillis,
                planTenants(region, affected, target, health)));
    }

    private Optional<String> invalidTarget(String region, String target, HealthSnapshot health,
                                           List<Placement> affected) {
        Optional<RegionStatus> status = health.region(target);
        if (status.isEmpty()) {
            return Optional.of("it is not a known region; known regions: " + health.regionNames());
        }
        if (target.equals(region)) {
            return Optional.of("it is the region being failed over");
        }
        if (status.get().state() != RegionHealth.HEALTHY) {
            return Optional.of("it is " + status.get().state().wireName() + ", not healthy");
        }
        if (status.get().paused()) {
            return Optional.of(PAUSED + " (meridianctl region resume " + target + ")");
        }
        if (affected.stream().noneMatch(p -> p.isReplicatedTo(target))) {
            return Optional.of("it is a replica of none of the " + affected.size() + " tenant(s) whose primary is '"
                    + region + "'");
        }
        return Optional.empty();
    }

    private static ManualFailoverResult reject(ManualFailoverError error) {
        return new ManualFailoverResult.Rejected(error);
    }

    private void requireSameWindow(InhibitWindows inhibit) {
        if (!inhibit.window().equals(policy.inhibitWindow())) {
            throw new IllegalArgumentException("the inhibit windows last " + inhibit.window().toMillis()
                    + " ms but " + FailoverPolicy.INHIBIT_WINDOW_CONFIG + " is " + policy.inhibitWindow().toMillis()
                    + " ms; build them with InhibitWindows.empty(policy.inhibitWindow())");
        }
    }

    /** The other known regions with a node whose recent heartbeat suspects the region. */
    private static SortedSet<String> observers(RegionStatus status, HealthSnapshot health) {
        SortedSet<String> observers = new TreeSet<>(status.suspectingRegions());
        observers.removeIf(o -> o.equals(status.region()) || !health.knows(o));
        return observers;
    }

    /**
     * The placements whose primary is {@code region}, by tenant. Runs on every tick while a region is unhealthy, over
     * every placement (100,000 and more): one pass that only compares the primary; the tenants are checked for
     * duplicates among those found, not in a set of all of them.
     */
    private static List<Placement> primariesIn(String region, List<Placement> placements) {
        List<Placement> affected = new ArrayList<>();
        for (Placement placement : placements) {
            if (placement.primary().equals(region)) {
                affected.add(placement);
            }
        }
        affected.sort(Comparator.comparing(Placement::tenant));
        for (int i = 1; i < affected.size(); i++) {
            if (affected.get(i).tenant().equals(affected.get(i - 1).tenant())) {
                throw new IllegalArgumentException("tenant '" + affected.get(i).tenant() + "' has two placements");
            }
        }
        return affected;
    }

    private List<TenantFailover> planTenants(String failed, List<Placement> affected, Optional<String> target,
                                             HealthSnapshot health) {
        return affected.stream().map(p -> planTenant(p, failed, target, health)).toList();
    }

    private TenantFailover planTenant(Placement placement, String failed, Optional<String> target,
                                      HealthSnapshot health) {
        int partition = walPartitionOf.applyAsInt(placement.tenant());
        if (partition < 0) {
            throw new IllegalArgumentException("WAL partition of tenant '" + placement.tenant()
                    + "' must not be negative, got " + partition);
        }
        // A region still syncing the tenant from a snapshot holds an incomplete copy: never a candidate.
        List<FailoverCandidate> considered = placement.replicas().stream()
                .filter(r -> !r.equals(failed) && placement.isCaughtUpIn(r))
                .map(r -> candidate(r, partition, health))
                .toList();
        List<FailoverCandidate> healthy = considered.stream().filter(FailoverCandidate::isHealthy).sorted(RANK).toList();
        List<FailoverCandidate> notHealthy = considered.stream().filter(c -> !c.isHealthy())
                .sorted(Comparator.comparing(FailoverCandidate::region))
                .map(c -> c.notChosen(notHealthyReason(c)))
                .toList();
        return target.isPresent()
                ? toTarget(placement, partition, target.get(), healthy, notHealthy)
                : toBest(placement, partition, failed, healthy, notHealthy);
    }

    private TenantFailover toBest(Placement placement, int partition, String failed, List<FailoverCandidate> healthy,
                                  List<FailoverCandidate> notHealthy) {
        if (healthy.isEmpty()) {
            String reason = notHealthy.isEmpty()
                    ? "no replica other than '" + failed + "'; the tenant stays on '" + failed + "'"
                    : "no healthy replica among " + notHealthy.stream().map(FailoverCandidate::region).toList()
                            + "; the tenant stays on '" + failed + "'";
            return new TenantFailover(placement, partition, TenantFailover.Outcome.NO_HEALTHY_REPLICA,
                    Optional.empty(), notHealthy, reason);
        }
        FailoverCandidate best = healthy.get(0);
        String why = healthy.size() == 1 ? "the only healthy replica" : whyBetter(best, healthy.get(1));
        List<FailoverCandidate> candidates = new ArrayList<>();
        candidates.add(best.asChosen(why));
        healthy.stream().skip(1).map(c -> c.notChosen(whyWorse(c, best))).forEach(candidates::add);
        candidates.addAll(notHealthy);
        return new TenantFailover(placement, partition, TenantFailover.Outcome.PROMOTED,
                Optional.of(placement.withPrimary(best.region(), placement.epoch() + 1)), candidates,
                "promoted '" + best.region() + "': " + why);
    }

    private static TenantFailover toTarget(Placement placement, int partition, String target, List<FailoverCandidate> healthy,
                                           List<FailoverCandidate> notHealthy) {
        if (!placement.isCaughtUpIn(target)) {
            List<FailoverCandidate> candidates = Stream.concat(
                    healthy.stream().map(c -> c.notChosen("not the operator's target '" + target + "'")),
                    notHealthy.stream()).toList();
            String why = placement.isReplicatedTo(target) ? "is still syncing this tenant from a snapshot"
                    : "is not a replica of this tenant";
            return new TenantFailover(placement, partition, TenantFailover.Outcome.TARGET_NOT_REPLICA,
                    Optional.empty(), candidates, "skipped: the operator's target '" + target
                            + "' " + why + "; the tenant stays on '" + placement.primary() + "'");
        }
        // The planner checked that the target is healthy, so it is among the healthy candidates.
        List<FailoverCandidate> candidates = new ArrayList<>();
        healthy.stream().filter(c -> c.region().equals(target))
                .map(c -> c.asChosen("the operator's target")).forEach(candidates::add);
        healthy.stream().filter(c -> !c.region().equals(target))
                .map(c -> c.notChosen("the operator chose '" + target + "'")).forEach(candidates::add);
        candidates.addAll(notHealthy);
        return new TenantFailover(placement, partition, TenantFailover.Outcome.PROMOTED,
                Optional.of(placement.withPrimary(target, placement.epoch() + 1)), candidates,
                "promoted the operator's target '" + target + "'");
    }

    private static final String NEEDS_RESEED = "needs reseed: it skipped WAL records deleted by retention";

    /** Why a paused region is no candidate: its applier stopped, so its copy falls further behind every second. */
    private static final String PAUSED = "paused: the operator paused its replication for maintenance";

    private FailoverCandidate candidate(String region, int partition, HealthSnapshot health) {
        Optional<RegionStatus> status = health.region(region);
        long offset = status.map(s -> s.appliedOffset(partition).orElse(FailoverCandidate.NO_POSITION))
                .orElse(FailoverCandidate.NO_POSITION);
        // A region that skipped records deleted by retention, or whose replication is paused, is no candidate,
        // however healthy its nodes are.
        Optional<RegionHealth> state = status.map(s -> s.needsReseed() || s.paused() ? RegionHealth.UNHEALTHY
                : s.state());
        String reason = status.filter(RegionStatus::needsReseed).isPresent() ? NEEDS_RESEED
                : status.filter(RegionStatus::paused).isPresent() ? PAUSED : "";
        return new FailoverCandidate(region, state, partition, offset, policy.priorityOf(region), false, reason);
    }

    private static String notHealthyReason(FailoverCandidate candidate) {
        if (candidate.reason().equals(NEEDS_RESEED) || candidate.reason().equals(PAUSED)) {
            return candidate.reason();
        }
        return candidate.health().map(h -> "not healthy: " + h.wireName())
                .orElse("not known to the health monitor");
    }

    private static String whyBetter(FailoverCandidate best, FailoverCandidate next) {
        if (best.appliedOffset() > next.appliedOffset()) {
            return "highest applied offset (" + offset(best) + " ahead of " + offset(next) + ")";
        }
        if (best.priority() > next.priority()) {
            return "tied on applied offset " + offset(best) + "; highest priority (" + best.priority() + " over "
                    + next.priority() + ")";
        }
        return "tied on applied offset " + offset(best) + " and priority " + best.priority()
                + "; first by region name";
    }

    private static String whyWorse(FailoverCandidate candidate, FailoverCandidate best) {
        if (candidate.appliedOffset() < best.appliedOffset()) {
            return "behind '" + best.region() + "': applied offset " + offset(candidate) + " < " + offset(best);
        }
        if (candidate.priority() < best.priority()) {
            return "tied with '" + best.region() + "' on applied offset; lower priority (" + candidate.priority()
                    + " < " + best.priority() + ")";
        }
        return "tied with '" + best.region() + "' on applied offset and priority; '" + best.region()
                + "' sorts first by name";
    }

    private static String offset(FailoverCandidate candidate) {
        return candidate.position().map(Object::toString).orElse("none");
    }
}
