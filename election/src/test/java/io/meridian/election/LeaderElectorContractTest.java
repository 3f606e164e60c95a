package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.testing.Electors;
import io.meridian.election.testing.RecordingListener;
import io.meridian.election.testing.RecordingListener.Event;
import io.meridian.election.testing.RecordingListener.Type;
import io.meridian.election.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every {@link LeaderElector} backend promises, run against each backend by a subclass on a real coordination
 * service. Each test works in its own namespace (ZooKeeper root, Kafka group).
 */
@Tag("integration")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class LeaderElectorContractTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectorContractTest.class);

    private final List<LeaderElector> created = new ArrayList<>();
    private final Map<LeaderElector, RecordingListener> recordings = new LinkedHashMap<>();

    /** A new, unstarted elector for {@code self} in this test's namespace. */
    protected abstract LeaderElector create(ElectionCandidate self);

    /** How long three fresh electors may take to agree on a leader. */
    protected abstract Duration electionBound();

    /** How long after the leader's close() another node may take to lead. */
    protected abstract Duration handoverBound();

    @AfterEach
    void closeElectors() {
        created.forEach(LeaderElector::close);
    }

    @Test
    void shouldElectExactlyOneLeaderAmongThree() {
        List<LeaderElector> three = startThree();
        LeaderElector leader = Electors.awaitStableLeader(three, electionBound());
        assertTrue(leader.epoch() >= 1, "epoch " + leader.epoch());
        assertEquals(List.of(leader), three.stream().filter(LeaderElector::isLeader).toList());
        for (LeaderElector e : three) {
            assertTrue(e.hasQuorum(), e.toString());
            ElectionSnapshot s = e.snapshot();
            assertEquals(leader.self().nodeId(), s.leaderNodeId());
            assertEquals(leader.self().url(), s.leaderUrl());
            assertEquals(leader.self().region(), s.leaderRegion());
            assertEquals(leader.epoch(), s.epoch());
            assertEquals(e.backend(), s.backend());
        }
        // Every node sees all three candidates taking part.
        Waits.within(electionBound()).until(() -> three.stream().allMatch(e -> e.liveNodes().size() == 3));
        assertEquals(List.of("node-1", "node-2", "node-3"),
                three.get(0).liveNodes().stream().map(ElectionCandidate::nodeId).toList());
    }

    @Test
    void shouldHandOverToAnotherNodeWithAHigherEpochWhenTheLeaderCloses() {
        List<LeaderElector> three = startThree();
        LeaderElector leader = Electors.awaitStableLeader(three, electionBound());
        long oldEpoch = leader.epoch();
        RecordingListener oldLeaderEvents = recordings.get(leader);

        long closing = System.nanoTime();
        leader.close();
        long closed = System.nanoTime();
        // Leadership was given up before close() returned.
        assertFalse(leader.isLeader());
        assertEquals(ElectionState.CLOSED, leader.state());
        Event deposed = oldLeaderEvents.last(Type.DEPOSED);
        assertNotNull(deposed, oldLeaderEvents.toString());
        assertEquals(oldEpoch, deposed.epoch());
        assertEquals("closed", deposed.reason());

        List<LeaderElector> rest = three.stream().filter(e -> e != leader).toList();
        Waits.within(handoverBound()).until(() -> rest.stream().anyMatch(LeaderElector::isLeader));
        LeaderElector successor = Electors.awaitStableLeader(rest, handoverBound());
        assertTrue(successor.epoch() > oldEpoch, "new epoch " + successor.epoch() + " after " + oldEpoch);
        RecordingListener successorEvents = recordings.get(successor);
        Waits.within(Duration.ofSeconds(5)).until(() -> successorEvents.last(Type.ELECTED) != null);
        // From the close() call to the successor's onElected callback.
        long handoverMs = TimeUnit.NANOSECONDS.toMillis(successorEvents.last(Type.ELECTED).nanos() - closing);
        assertTrue(handoverMs <= Waits.scaled(handoverBound()).toMillis(), "handover took " + handoverMs + " ms");
        LOG.info("MEASURED backend={} handover after close: {} ms (close() itself {} ms), epoch {} -> {}",
                leader.backend(), handoverMs, TimeUnit.NANOSECONDS.toMillis(closed - closing), oldEpoch,
                successor.epoch());
    }

    @Test
    void shouldNotifyListenersOncePerRealChangeInOrderOnTheirThread() {
        List<LeaderElector> three = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            LeaderElector e = create(candidate(i));
            // A broken listener first: the recording one after it must still see everything.
            e.addListener(new LeadershipListener() {
                @Override
                public void onElected(long epoch) {
                    throw new IllegalStateException("broken listener");
                }

                @Override
                public void onDeposed(long epoch, String reason) {
                    throw new IllegalStateException("broken listener");
                }

                @Override
                public void onQuorumChange(boolean hasQuorum) {
                    throw new IllegalStateException("broken listener");
                }
            });
            track(e);
            three.add(e);
            e.start();
        }
        LeaderElector first = Electors.awaitStableLeader(three, electionBound());
        first.close();
        List<LeaderElector> rest = three.stream().filter(e -> e != first).toList();
        LeaderElector second = Electors.awaitStableLeader(rest, handoverBound());
        // Let queued callbacks run before reading them.
        Waits.within(Duration.ofSeconds(5)).until(() -> {
            Event last = recordings.get(second).last(Type.ELECTED);
            return last != null && last.epoch() == second.epoch();
        });
        for (LeaderElector e : three) {
            RecordingListener r = recordings.get(e);
            r.assertContract("meridian-election-listener-" + e.self().nodeId());
            List<Event> leadership = r.leadership();
            boolean leadsNow = e.isLeader();
            // Elected and deposed alternate, so a node that leads now saw exactly one more election than deposals.
            assertEquals(leadsNow ? 1 : 0, r.count(Type.ELECTED) - r.count(Type.DEPOSED), e + " " + leadership);
            assertTrue(r.count(Type.QUORUM) >= 1, "quorum was gained: " + r);
            assertTrue(r.quorum().get(0).quorum(), "the first quorum callback says gained: " + r);
        }
        assertEquals("closed", recordings.get(first).last(Type.DEPOSED).reason());
        assertEquals(second.epoch(), recordings.get(second).last(Type.ELECTED).epoch());
    }

    @Test
    void shouldMakeCloseIdempotent() {
        LeaderElector only = started(candidate(1));
        Electors.awaitStableLeader(List.of(only), electionBound());
        only.close();
        only.close();
        assertEquals(ElectionState.CLOSED, only.state());
        assertFalse(only.isLeader());
        assertFalse(only.hasQuorum() && only.isLeader());
        RecordingListener r = recordings.get(only);
        assertEquals(1, r.count(Type.DEPOSED), r.toString());
        assertEquals(1, r.count(Type.ELECTED), r.toString());

        LeaderElector neverStarted = create(candidate(2));
        neverStarted.close();
        neverStarted.close();
        assertEquals(ElectionState.CLOSED, neverStarted.state());
    }

    @Test
    void shouldRejectASecondStart() {
        LeaderElector e = started(candidate(1));
        IllegalStateException second = assertThrows(IllegalStateException.class, e::start);
        assertTrue(second.getMessage().contains("node-1"), second.getMessage());
        Electors.awaitStableLeader(List.of(e), electionBound());
        e.close();
        assertThrows(IllegalStateException.class, e::start);
    }

    @Test
    void shouldReportTheBackendAndStateWhileJoining() {
        LeaderElector e = create(candidate(1));
        assertEquals(ElectionState.CREATED, e.state());
        assertEquals(-1, e.epoch());
        assertFalse(e.hasQuorum());
        assertNotEquals("", e.backend());
        e.start();
        assertTrue(e.state() == ElectionState.CANDIDATE || e.state() == ElectionState.LEADER, e.state().name());
        Electors.awaitStableLeader(List.of(e), electionBound());
        assertEquals(e.self(), e.leader().orElseThrow());
    }

    protected static ElectionCandidate candidate(int i) {
        String[] regions = {"us-east", "eu-west", "ap-south"};
        return new ElectionCandidate("node-" + i, regions[(i - 1) % 3], "http://127.0.0.1:" + (8080 + i), 0);
    }

    private List<LeaderElector> startThree() {
        List<LeaderElector> three = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            three.add(started(candidate(i)));
        }
        return three;
    }

    private LeaderElector started(ElectionCandidate c) {
        LeaderElector e = create(c);
        track(e);
        e.start();
        return e;
    }

    private void track(LeaderElector e) {
        created.add(e);
        RecordingListener r = new RecordingListener();
        recordings.put(e, r);
        e.addListener(r);
    }

    @Override
    public String toString() {
        return recordings.entrySet().stream().map(en -> en.getKey() + "=" + en.getValue())
                .collect(Collectors.joining("\n"));
    }
}
