package io.meridian.election.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.election.ElectionState;
import io.meridian.election.LeaderElector;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Waiting for election outcomes. */
public final class Electors {

    private Electors() {
    }

    /**
     * Waits until exactly one of {@code running} leads and every other one follows it in the same epoch; returns the
     * leader.
     */
    public static LeaderElector awaitStableLeader(Collection<LeaderElector> running, Duration bound) {
        AtomicReference<LeaderElector> found = new AtomicReference<>();
        Waits.within(bound).until(() -> {
            Optional<LeaderElector> leader = stableLeader(running);
            leader.ifPresent(found::set);
            return leader.isPresent();
        });
        return found.get();
    }

    public static Optional<LeaderElector> stableLeader(Collection<LeaderElector> running) {
        List<LeaderElector> leaders = running.stream().filter(LeaderElector::isLeader).toList();
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        LeaderElector leader = leaders.get(0);
        long epoch = leader.epoch();
        if (leader.state() != ElectionState.LEADER || !leader.hasQuorum()) {
            return Optional.empty();
        }
        for (LeaderElector e : running) {
            if (e == leader) {
                continue;
            }
            boolean follows = e.state() == ElectionState.FOLLOWER && e.epoch() == epoch
                    && e.leader().map(l -> l.sameNode(leader.self())).orElse(false);
            if (!follows) {
                return Optional.empty();
            }
        }
        // Re-check: the leader may have changed while we looked at the followers.
        return leader.isLeader() && leader.epoch() == epoch ? Optional.of(leader) : Optional.empty();
    }

    public static void assertNoLeader(Collection<LeaderElector> running) {
        assertEquals(List.of(), running.stream().filter(LeaderElector::isLeader).map(e -> e.self().nodeId()).toList());
    }
}
