package io.meridian.election;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.internal.ZooKeeperLeaderElector;
import io.meridian.election.testing.Electors;
import io.meridian.election.testing.RecordingListener;
import io.meridian.election.testing.RecordingListener.Event;
import io.meridian.election.testing.RecordingListener.Type;
import io.meridian.election.testing.TestZooKeeper;
import io.meridian.election.testing.Waits;
import io.meridian.infra.config.ElectionConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The zookeeper backend against a real ZooKeeper server that this class stops and restarts. */
@Tag("integration")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZooKeeperElectionTest {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperElectionTest.class);
    private static final Duration SESSION = Duration.ofSeconds(3);

    private static TestZooKeeper zooKeeper;
    private final List<LeaderElector> created = new ArrayList<>();
    private final Map<LeaderElector, RecordingListener> recordings = new ConcurrentHashMap<>();
    private String root;

    @BeforeAll
    static void startZooKeeper() {
        zooKeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        zooKeeper.close();
    }

    @BeforeEach
    void newRoot() {
        root = "/meridian-test-" + UUID.randomUUID().toString().substring(0, 8);
        if (!zooKeeper.server().isRunning()) {
            zooKeeper.server().restart();
        }
    }

    @AfterEach
    void closeElectors() {
        created.forEach(LeaderElector::close);
    }

    @Test
    void shouldGiveLeadershipUpWhenZooKeeperStopsAndElectANewerTermWhenItReturns() {
        List<LeaderElector> three = startThree();
        LeaderElector leader = Electors.awaitStableLeader(three, Duration.ofSeconds(10));
        long before = leader.epoch();
        RecordingListener leaderEvents = recordings.get(leader);

        long stopped = System.nanoTime();
        zooKeeper.server().stop();
        Waits.within(SESSION.multipliedBy(2)).until(() -> three.stream().noneMatch(LeaderElector::hasQuorum));
        Waits.within(Duration.ofSeconds(5)).until(() -> leaderEvents.last(Type.DEPOSED) != null);
        Event deposed = leaderEvents.last(Type.DEPOSED);
        long detectionMs = TimeUnit.NANOSECONDS.toMillis(deposed.nanos() - stopped);
        assertEquals(before, deposed.epoch());
        assertTrue(deposed.reason().startsWith("zookeeper connection "), deposed.reason());
        Electors.assertNoLeader(three);
        for (LeaderElector e : three) {
            assertEquals(ElectionState.DISCONNECTED, e.state(), e.toString());
            assertTrue(e.leader().isEmpty(), "no leader is known without quorum: " + e);
            RecordingListener r = recordings.get(e);
            Waits.within(Duration.ofSeconds(5)).until(() -> r.last(Type.QUORUM) != null && !r.last(Type.QUORUM).quorum());
        }
        // Deposed before the quorum loss was reported.
        List<Event> events = leaderEvents.events();
        assertTrue(events.indexOf(deposed) < events.indexOf(leaderEvents.last(Type.QUORUM)), events.toString());

        // Closing while ZooKeeper is down must not hang on the unreachable server.
        LeaderElector closedDuringOutage = three.stream().filter(e -> e != leader).findFirst().orElseThrow();
        long closing = System.nanoTime();
        closedDuringOutage.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
        assertTrue(closeMs < Waits.scaled(Duration.ofSeconds(3)).toMillis(), "close took " + closeMs + " ms");
        List<LeaderElector> remaining = three.stream().filter(e -> e != closedDuringOutage).toList();

        long restarted = System.nanoTime();
        zooKeeper.server().restart();
        LeaderElector after = Electors.awaitStableLeader(remaining, SESSION.multipliedBy(4));
        long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
        assertTrue(after.epoch() > before, "epoch " + after.epoch() + " after " + before);
        for (LeaderElector e : remaining) {
            assertTrue(e.hasQuorum());
            recordings.get(e).assertContract("meridian-election-listener-" + e.self().nodeId());
        }
        LOG.info("MEASURED zookeeper loss: leader deposed {} ms after the server stopped (reason {});"
                + " a leader again {} ms after restart, epoch {} -> {}; close() during the outage {} ms", detectionMs,
                deposed.reason(), recoveryMs, before, after.epoch(), closeMs);
    }

    @Test
    void shouldElectAgainAfterAnOutageLongerThanTheSession() {
        List<LeaderElector> three = startThree();
        long before = Electors.awaitStableLeader(three, Duration.ofSeconds(10)).epoch();
        zooKeeper.server().stop();
        // Curator declares the session LOST once the session timeout passed while SUSPENDED.
        Waits.within(SESSION.multipliedBy(3)).until(() -> three.stream().allMatch(e ->
                ((ZooKeeperLeaderElector) e).lastConnectionState() == ConnectionState.LOST));
        Electors.assertNoLeader(three);
        zooKeeper.server().restart();
        LeaderElector after = Electors.awaitStableLeader(three, SESSION.multipliedBy(4));
        assertTrue(after.epoch() > before, "epoch " + after.epoch() + " after " + before);
        // New sessions: the presence nodes came back too.
        Waits.within(SESSION.multipliedBy(2)).until(() -> three.stream().allMatch(e -> e.liveNodes().size() == 3));
        for (LeaderElector e : three) {
            recordings.get(e).assertContract("meridian-election-listener-" + e.self().nodeId());
        }
    }

    @Test
    void shouldContinueAboveEveryEarlierEpochWithAFreshSetOfElectors() {
        List<LeaderElector> first = startThree();
        LeaderElector leader = Electors.awaitStableLeader(first, Duration.ofSeconds(10));
        leader.close();
        List<LeaderElector> rest = first.stream().filter(e -> e != leader).toList();
        Electors.awaitStableLeader(rest, Duration.ofSeconds(10));
        rest.forEach(LeaderElector::close);
        // close() drained every listener: these are all the terms the first set had.
        long highest = first.stream().map(recordings::get).mapToLong(r -> r.last(Type.ELECTED) == null ? -1
                : r.last(Type.ELECTED).epoch()).max().orElseThrow();
        assertTrue(highest >= 2, "two terms at least: " + highest);

        List<LeaderElector> second = startThree();
        LeaderElector next = Electors.awaitStableLeader(second, Duration.ofSeconds(10));
        assertTrue(next.epoch() > highest, "epoch " + next.epoch() + " after " + highest);
    }

    @Test
    void shouldAnnounceLiveNodesWithEphemeralNodes() {
        List<LeaderElector> three = startThree();
        Electors.awaitStableLeader(three, Duration.ofSeconds(10));
        LeaderElector observer = three.get(0);
        Waits.within(Duration.ofSeconds(5)).until(() -> observer.liveNodes().size() == 3);
        assertEquals(three.stream().map(LeaderElector::self).toList(), observer.liveNodes());
        three.get(2).close();
        Waits.within(Duration.ofSeconds(5)).until(() -> observer.liveNodes().size() == 2);
        assertEquals(List.of("zk-1", "zk-2"), observer.liveNodes().stream().map(ElectionCandidate::nodeId).toList());
    }

    @Test
    void shouldKeepALeaderThatNeverLostItsConnection() {
        LeaderElector only = started(new ElectionCandidate("zk-1", "us-east", "http://zk-1", 0));
        Electors.awaitStableLeader(List.of(only), Duration.ofSeconds(10));
        LeaderElector other = started(new ElectionCandidate("zk-2", "eu-west", "http://zk-2", 100));
        Waits.within(Duration.ofSeconds(5)).until(() -> other.state() == ElectionState.FOLLOWER);
        // The latch elects in joining order; priority does not preempt a healthy leader.
        assertTrue(only.isLeader());
        RecordingListener r = recordings.get(only);
        assertEquals(1, r.count(Type.ELECTED));
        assertEquals(0, r.count(Type.DEPOSED));
        assertNotNull(other.leader().orElse(null));
        assertFalse(other.isLeader());
    }

    private List<LeaderElector> startThree() {
        List<LeaderElector> three = new ArrayList<>();
        String[] regions = {"us-east", "eu-west", "ap-south"};
        for (int i = 1; i <= 3; i++) {
            three.add(started(new ElectionCandidate("zk-" + i, regions[i - 1], "http://zk-" + i, 0)));
        }
        return three;
    }

    private LeaderElector started(ElectionCandidate c) {
        LeaderElector e = LeaderElectors.create(ElectionConfigs.BACKEND_ZOOKEEPER, c, ElectionSettings.builder()
                .zookeeperConnect(zooKeeper.connectString())
                .zookeeperRoot(root)
                .zookeeperSessionTimeout(SESSION)
                .zookeeperConnectionTimeout(SESSION)
                .build());
        RecordingListener r = new RecordingListener();
        e.addListener(r);
        recordings.put(e, r);
        created.add(e);
        e.start();
        return e;
    }
}
