package io.meridian.election.health;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns heartbeats and the passing of time into per-region {@link RegionHealth}. Pure: no Kafka, no threads, no
 * clock of its own; every call takes the time.
 *
 * <h2>Evaluation windows</h2>
 * Each region's time is cut into consecutive evaluation windows starting at the monitor's start. A window closes at
 * its end; it is a <em>success</em> if any node of the region sent a heartbeat that arrived in it, else a
 * <em>miss</em>. Consecutive misses and successes drive the transitions drawn on {@link RegionHealth}. Windows are
 * {@link HealthPolicy#interval()} long, except while a region stays {@code UNHEALTHY}: then every missed window
 * makes the next one {@link HealthPolicy#backoffMultiplier()} times longer, up to
 * {@link HealthPolicy#maxProbeInterval()} (the region is re-evaluated less and less often while it is down). A
 * backed-off window that hears a heartbeat ends with the interval the heartbeat arrived in, and a success while
 * {@code UNHEALTHY} resets the window to the interval, so recovery is judged at full resolution from the first heartbeat
 * on.
 * Because windows have fixed boundaries and a change is stamped with the end of the window that decided it, the
 * outcome depends only on when heartbeats arrived, not on how often {@link #tick} is called.
 *
 * <h2>Regions never heard from</h2>
 * The configured regions start {@code SUSPECT}, not {@code HEALTHY}: nothing is known about them yet, so they must
 * be neither chosen as a new primary (only healthy regions are) nor failed over (only unhealthy ones are). A region
 * never heard from since the start cannot become {@code UNHEALTHY} before {@link HealthPolicy#startupGrace()} (set to
 * the failover leader-timeout) has passed, so a controller that has just been elected cannot fail over a region it
 * simply has not heard from yet: failover of such a region needs the grace <em>and</em> a further leader-timeout in
 * {@code UNHEALTHY}. Heartbeats in {@code successesToHealthy} consecutive windows make it {@code HEALTHY}.
 *
 * <h2>Time</h2>
 * Liveness is judged by the time a heartbeat is recorded here, on this node's clock, never by the sender's
 * {@link Heartbeat#sentAtMillis()}, so clock skew between regions cannot fake or hide a failure. Per node, the latest
 * recorded heartbeat wins (Kafka keeps one node's heartbeats in order, as they are keyed by node). Time that goes
 * backwards is treated as standing still. A caller replaying {@code meridian.heartbeats} after a restart should
 * start at the end of the topic (or pass each record's timestamp), or old heartbeats would count as fresh.
 *
 * <h2>Threads</h2>
 * Not thread-safe: confine an instance to one thread (the controller's single-thread executor). Publish
 * {@link #snapshot()}s, which are immutable, to other threads.
 */
public final class RegionHealthMonitor {
    private final HealthPolicy policy;
    private final long startMillis;
    private final long intervalMillis;
    private final SortedMap<String, Tracker> trackers = new TreeMap<>();
    private final List<RegionHealthChange> pending = new ArrayList<>();
    private long latestMillis;

    /**
     * @param regions     every region of the deployment (from configuration); heartbeats from others are ignored
     * @param policy      thresholds, interval and backoff
     * @param startMillis the monitor's start: the first evaluation window starts here
     */
    public RegionHealthMonitor(Collection<String> regions, HealthPolicy policy, long startMillis) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("the health monitor needs at least one region");
        }
        this.startMillis = startMillis;
        this.latestMillis = startMillis;
        this.intervalMillis = policy.interval().toMillis();
        for (String region : regions) {
            if (trackers.put(Names.requireRegion(region), new Tracker(region)) != null) {
                throw new IllegalArgumentException("region '" + region + "' is configured twice");
            }
        }
    }

    public HealthPolicy policy() {
        return policy;
    }

    public long startMillis() {
        return startMillis;
    }

    public SortedSet<String> regions() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(trackers.keySet()));
    }

    /**
     * Records a heartbeat that arrived at {@code nowMillis}. Closes every window that ended by then first, so the
     * heartbeat counts for the window it arrived in; changes that decides are returned by the next {@link #tick}.
     *
     * @return false if the heartbeat's region is not configured (it is ignored)
     */
    public boolean record(Heartbeat heartbeat, long nowMillis) {
        long now = advanceTo(nowMillis);
        Tracker tracker = trackers.get(heartbeat.region());
        if (tracker == null) {
            return false;
        }
        tracker.heard(heartbeat, now);
        return true;
    }

    /**
     * Closes every evaluation window that ended by {@code nowMillis} and returns the real state changes decided
     * since the previous tick (including those decided while recording heartbeats), ordered by time then region.
     */
    public List<RegionHealthChange> tick(long nowMillis) {
        advanceTo(nowMillis);
        List<RegionHealthChange> changes = new ArrayList<>(pending);
        pending.clear();
        changes.sort(Comparator.comparingLong(RegionHealthChange::atMillis).thenComparing(RegionHealthChange::region));
        return List.copyOf(changes);
    }

    /** The current state of a configured region; throws {@link IllegalArgumentException} for an unknown one. */
    public RegionHealth state(String region) {
        return tracker(region).state;
    }

    /**
     * The regions this node should report as suspected in its own heartbeat: those not {@code HEALTHY}, except a
     * region still {@code SUSPECT} only because it was never heard from (no evidence against it yet).
     */
    public SortedSet<String> suspectedRegions() {
        SortedSet<String> suspected = new TreeSet<>();
        trackers.values().stream()
                .filter(t -> t.state != RegionHealth.HEALTHY && !(t.state == RegionHealth.SUSPECT && !t.seen))
                .forEach(t -> suspected.add(t.region));
        return Collections.unmodifiableSortedSet(suspected);
    }

    /** Every region as of the latest time this monitor was given (by {@link #record} or {@link #tick}). */
    public HealthSnapshot snapshot() {
        long at = latestMillis;
        long ttl = policy.suspicionTtl().toMillis();
        List<RegionStatus> statuses = new ArrayList<>();
        for (Tracker tracker : trackers.values()) {
            Map<Integer, Long> applied = new TreeMap<>();
            tracker.nodes.values().forEach(node -> node.heartbeat.appliedOffsets().forEach(
                    (partition, offset) -> applied.merge(partition, offset, Math::max)));
            Map<String, Set<String>> suspectedBy = new TreeMap<>();
            for (Tracker observer : trackers.values()) {
                if (observer == tracker) {
                    continue;
                }
                observer.nodes.values().stream()
                        .filter(node -> at - node.receivedAtMillis <= ttl)
                        .filter(node -> node.heartbeat.suspectedRegions().contains(tracker.region))
                        .forEach(node -> suspectedBy.computeIfAbsent(observer.region, r -> new TreeSet<>())
                                .add(node.heartbeat.nodeId()));
            }
            statuses.add(new RegionStatus(tracker.region, tracker.state, tracker.sinceMillis, !tracker.seen,
                    tracker.seen ? OptionalLong.of(at - tracker.lastHeartbeatMillis) : OptionalLong.empty(),
                    tracker.misses, tracker.successes, tracker.windowLength,
                    tracker.windowStart + tracker.windowLength, tracker.nodes.keySet(), applied, suspectedBy,
                    tracker.nodes.values().stream().anyMatch(node -> node.heartbeat.needsReseed()),
                    // Only recent heartbeats: a node that died while paused must not keep its region paused.
                    tracker.nodes.values().stream()
                            .anyMatch(node -> node.heartbeat.paused() && at - node.receivedAtMillis <= ttl)));
        }
        return HealthSnapshot.of(at, statuses);
    }

    private Tracker tracker(String region) {
        Tracker tracker = trackers.get(region);
        if (tracker == null) {
            throw new IllegalArgumentException("unknown region '" + region + "'; configured regions: "
                    + trackers.keySet());
        }
        return tracker;
    }

    private long advanceTo(long nowMillis) {
        // A wall clock that steps back must not reopen closed windows: treat it as standing still.
        long now = Math.max(nowMillis, latestMillis);
        latestMillis = now;
        trackers.values().forEach(tracker -> tracker.advanceTo(now));
        return now;
    }

    private record NodeView(Heartbeat heartbeat, long receivedAtMillis) {
    }

    /** One region's counters; mutated only by the monitor's thread. */
    private final class Tracker {
        private final String region;
        private final SortedMap<String, NodeView> nodes = new TreeMap<>();
        private RegionHealth state = RegionHealth.SUSPECT;
        private long sinceMillis = startMillis;
        private boolean seen;
        private long lastHeartbeatMillis;
        private long windowStart = startMillis;
        private long windowLength = intervalMillis;
        private boolean heardInWindow;
        private int misses;
        private int successes;

        Tracker(String region) {
            this.region = region;
        }

        void heard(Heartbeat heartbeat, long now) {
            heardInWindow = true;
            seen = true;
            lastHeartbeatMillis = now;
            nodes.put(heartbeat.nodeId(), new NodeView(heartbeat, now));
            if (windowLength > intervalMillis) {
                // A backed-off window that hears a heartbeat ends with the interval it arrived in: waiting for its
                // full length (up to health.probe.backoff.max.ms) only delays recovery. Every start paid it: the
                // regions, never heard from, turn unhealthy after the startup grace and back off until the appliers
                // beat (~8 s on restarts). Windows stay on the interval's grid, in phase with the heartbeats.
                windowLength = ((now - windowStart) / intervalMillis + 1) * intervalMillis;
            }
        }

        void advanceTo(long now) {
            while (windowStart + windowLength <= now) {
                if (!heardInWindow && state == RegionHealth.UNHEALTHY
                        && policy.nextProbeWindowMillis(windowLength) == windowLength) {
                    // Down and backed off as far as it goes: every remaining window is a miss of the same length,
                    // and a miss cannot change UNHEALTHY, so skip them at once (keeps a late tick O(1)).
                    long skipped = (now - windowStart) / windowLength;
                    misses = (int) Math.min(Integer.MAX_VALUE, misses + skipped);
                    successes = 0;
                    windowStart += skipped * windowLength;
                    continue;
                }
                closeWindow();
            }
        }

        private void closeWindow() {
            long end = windowStart + windowLength;
            boolean success = heardInWindow;
            heardInWindow = false;
            if (success) {
                successes++;
                misses = 0;
            } else {
                misses = misses == Integer.MAX_VALUE ? misses : misses + 1;
                successes = 0;
            }
            RegionHealth next = decide(end);
            if (next != state) {
                pending.add(new RegionHealthChange(region, state, next, end, reason(next, end), misses));
                state = next;
                sinceMillis = end;
            }
            windowStart = end;
            if (state != RegionHealth.UNHEALTHY || success) {
                windowLength = intervalMillis;
            } else {
                windowLength = policy.nextProbeWindowMillis(windowLength);
            }
        }

        private RegionHealth decide(long end) {
            return switch (state) {
                case HEALTHY -> misses >= policy.missesToSuspect() ? RegionHealth.SUSPECT : RegionHealth.HEALTHY;
                case SUSPECT -> {
                    if (successes >= policy.successesToHealthy()) {
                        yield RegionHealth.HEALTHY;
                    }
                    boolean graceOver = seen || end - startMillis >= policy.startupGrace().toMillis();
                    yield misses >= policy.missesToUnhealthy() && graceOver ? RegionHealth.UNHEALTHY
                            : RegionHealth.SUSPECT;
                }
                case UNHEALTHY -> successes >= policy.successesToHealthy() ? RegionHealth.HEALTHY
                        : RegionHealth.UNHEALTHY;
            };
        }

        private String reason(RegionHealth next, long end) {
            return switch (next) {
                case HEALTHY -> "heartbeats in " + successes + " consecutive evaluation windows ("
                        + HealthPolicy.SUCCESSES_TO_HEALTHY_CONFIG + "=" + policy.successesToHealthy() + ")";
                case SUSPECT -> "no heartbeat in " + misses + " consecutive evaluation windows ("
                        + HealthPolicy.MISSES_TO_SUSPECT_CONFIG + "=" + policy.missesToSuspect() + ")";
                case UNHEALTHY -> seen
                        ? "no heartbeat in " + misses + " consecutive evaluation windows ("
                                + HealthPolicy.MISSES_TO_UNHEALTHY_CONFIG + "=" + policy.missesToUnhealthy() + ")"
                        : "never heard from since the monitor started at " + startMillis + " ("
                                + (end - startMillis) + " ms ago; " + HealthPolicy.STARTUP_GRACE_CONFIG + "="
                                + policy.startupGrace().toMillis() + ")";
            };
        }
    }
}
