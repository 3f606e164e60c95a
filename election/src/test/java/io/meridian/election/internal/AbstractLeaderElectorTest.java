package io.meridian.election.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.LeadershipListener;
import io.meridian.infra.testkit.MutableClock;
import io.meridian.election.testing.RecordingListener;
import io.meridian.election.testing.RecordingListener.Event;
import io.meridian.election.testing.RecordingListener.Type;
import io.meridian.election.testing.Waits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener and state semantics both backends inherit, driven by hand. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AbstractLeaderElectorTest {
    private static final ElectionCandidate SELF = new ElectionCandidate("n1", "us-east", "http://n1", 0);
    private static final ElectionCandidate OTHER = new ElectionCandidate("n2", "eu-west", "http://n2", 0);

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final FakeElector elector = new FakeElector(clock);
    private final RecordingListener recording = new RecordingListener();

    @AfterEach
    void tearDown() {
        elector.close();
    }

    @Test
    void shouldFireOnlyOnRealChanges() {
        elector.addListener(recording);
        elector.start();
        elector.quorumChanged(true, "connected");
        elector.quorumChanged(true, "connected again");
        assertTrue(elector.becomeLeader(1));
        assertFalse(elector.becomeLeader(1), "already leading");
        assertTrue(elector.stepDown("test"));
        assertFalse(elector.stepDown("test again"));
        elector.observeLeader(OTHER, 2);
        elector.observeLeader(OTHER, 2);
        elector.close();
        awaitEvents(3);
        assertEquals(List.of(Type.QUORUM, Type.ELECTED, Type.DEPOSED), types());
        recording.assertContract(elector.listenerThreadName());
    }

    @Test
    void shouldDeposeBeforeReportingQuorumLossAndPassThroughCandidateWhenItReturns() {
        elector.addListener(recording);
        elector.start();
        assertEquals(ElectionState.CANDIDATE, elector.state());
        elector.quorumChanged(true, "connected");
        elector.becomeLeader(4);
        assertEquals(ElectionState.LEADER, elector.state());
        elector.quorumChanged(false, "zookeeper connection SUSPENDED");
        assertEquals(ElectionState.DISCONNECTED, elector.state());
        assertFalse(elector.isLeader());
        assertEquals(Optional.empty(), elector.leader());
        elector.observeLeader(OTHER, 5);
        assertEquals(Optional.empty(), elector.leader(), "no leader is known without quorum");
        elector.quorumChanged(true, "zookeeper connection RECONNECTED");
        assertEquals(ElectionState.CANDIDATE, elector.state());
        elector.observeLeader(OTHER, 6);
        assertEquals(ElectionState.FOLLOWER, elector.state());
        assertEquals(6, elector.epoch());
        awaitEvents(5);
        assertEquals(List.of(Type.QUORUM, Type.ELECTED, Type.DEPOSED, Type.QUORUM, Type.QUORUM), types());
        Event deposed = recording.last(Type.DEPOSED);
        assertEquals(4, deposed.epoch());
        assertEquals("zookeeper connection SUSPENDED", deposed.reason());
        recording.assertContract(elector.listenerThreadName());
    }

    @Test
    void shouldGoFromDisconnectedStraightToLeaderThroughCandidate() {
        elector.start();
        elector.quorumChanged(true, "connected");
        elector.quorumChanged(false, "lost");
        assertEquals(ElectionState.DISCONNECTED, elector.state());
        // A successful epoch claim proves the connection is back even before its event arrived.
        assertTrue(elector.becomeLeader(2));
        assertEquals(ElectionState.LEADER, elector.state());
        assertTrue(elector.hasQuorum());
    }

    @Test
    void shouldStepDownWhenAnotherNodeClaimsANewerEpoch() {
        elector.addListener(recording);
        elector.start();
        elector.becomeLeader(3);
        elector.observeLeader(SELF, 3);
        elector.observeLeader(OTHER, 3);
        assertTrue(elector.isLeader(), "same or older epochs do not depose");
        elector.observeLeader(OTHER, 4);
        assertFalse(elector.isLeader());
        assertEquals(ElectionState.FOLLOWER, elector.state());
        assertEquals(Optional.of(OTHER), elector.leader());
        awaitEvents(3);
        assertTrue(recording.last(Type.DEPOSED).reason().contains("superseded by node n2 in epoch 4"));
    }

    @Test
    void shouldNeverLowerTheEpoch() {
        elector.start();
        elector.quorumChanged(true, "connected");
        elector.observeLeader(OTHER, 9);
        elector.observeLeader(null, 3);
        assertEquals(9, elector.epoch());
        assertEquals(ElectionState.CANDIDATE, elector.state());
    }

    @Test
    void shouldDeposeOnCloseBeforeReturningAndCloseOnlyOnce() {
        elector.addListener(recording);
        elector.start();
        elector.becomeLeader(7);
        elector.close();
        // close() drains the listener queue: the final onDeposed has run already.
        Event last = recording.last(Type.DEPOSED);
        assertEquals(7, last.epoch());
        assertEquals("closed", last.reason());
        elector.close();
        assertEquals(1, elector.doCloseCalls.get());
        assertEquals(ElectionState.CLOSED, elector.state());
        assertFalse(elector.becomeLeader(8), "a closed elector never leads again");
        assertEquals(1, recording.count(Type.DEPOSED));
    }

    @Test
    void shouldRejectASecondStartAndAStartAfterClose() {
        elector.start();
        IllegalStateException e = assertThrows(IllegalStateException.class, elector::start);
        assertTrue(e.getMessage().contains("already started"), e.getMessage());
        assertEquals(1, elector.doStartCalls.get());
        elector.close();
        assertThrows(IllegalStateException.class, elector::start);
        FakeElector never = new FakeElector(clock);
        never.close();
        never.close();
        assertEquals(ElectionState.CLOSED, never.state());
        assertEquals(1, never.doCloseCalls.get());
    }

    @Test
    void shouldCloseWhenTheBackendFailsToStart() {
        FakeElector failing = new FakeElector(clock) {
            @Override
            protected void doStart() {
                throw new IllegalStateException("backend down");
            }
        };
        assertThrows(IllegalStateException.class, failing::start);
        assertEquals(ElectionState.CLOSED, failing.state());
    }

    @Test
    void shouldTimestampStatesWithTheInjectedClock() {
        elector.start();
        clock.advance(Duration.ofMinutes(5));
        elector.becomeLeader(11);
        ElectionSnapshot snapshot = elector.snapshot();
        assertEquals("2025-01-01T00:05:00Z", snapshot.since());
        assertEquals(ElectionState.LEADER, snapshot.state());
        assertEquals(11, snapshot.epoch());
        assertEquals("n1", snapshot.leaderNodeId());
        assertEquals("http://n1", snapshot.leaderUrl());
        assertEquals(SELF, snapshot.self());
        assertTrue(snapshot.hasQuorum());
        elector.stepDown("x");
        assertNull(elector.snapshot().leaderNodeId());
    }

    @Test
    void shouldLetAListenerCloseItsElector() {
        AtomicInteger deposed = new AtomicInteger();
        elector.addListener(new LeadershipListener() {
            @Override
            public void onElected(long epoch) {
                elector.close();
            }

            @Override
            public void onDeposed(long epoch, String reason) {
                deposed.incrementAndGet();
            }
        });
        elector.start();
        elector.becomeLeader(1);
        Waits.within(Duration.ofSeconds(5)).until(() -> elector.state() == ElectionState.CLOSED);
    }

    private void awaitEvents(int n) {
        Waits.within(Duration.ofSeconds(5)).until(() -> recording.events().size() >= n);
    }

    private List<Type> types() {
        return recording.events().stream().map(Event::type).toList();
    }

    /** A backend driven by the test through the protected methods. */
    static class FakeElector extends AbstractLeaderElector {
        final AtomicInteger doStartCalls = new AtomicInteger();
        final AtomicInteger doCloseCalls = new AtomicInteger();

        FakeElector(MutableClock clock) {
            super("fake", SELF, clock);
        }

        @Override
        protected void doStart() {
            doStartCalls.incrementAndGet();
        }

        @Override
        protected void doClose() {
            doCloseCalls.incrementAndGet();
        }

        @Override
        public List<ElectionCandidate> liveNodes() {
            return List.of(SELF);
        }
    }
}
