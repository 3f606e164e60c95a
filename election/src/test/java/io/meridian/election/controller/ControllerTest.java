package io.meridian.election.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.ControllerWriter;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeadershipListener;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.FailoverPolicy;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.HealthView;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionHealthChange;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.Topic;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One controller term driven through election, duties, a broken writer, fencing and hand-over, with fakes of the
 * elector, the health view and the writer (the Kafka-backed term is {@code ControllerTermIntegrationTest}).
 */
@Timeout(60)
class ControllerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TENANT = "acme";

    private final FakeElector elector = new FakeElector();
    private final FakeHealth health = new FakeHealth();
    private final List<FakeWriter> writers = new CopyOnWriteArrayList<>();
    private final List<String> dutyCalls = new CopyOnWriteArrayList<>();
    private final Controller controller = controller();

    @AfterEach
    void close() {
        controller.close();
    }

    @Test
    void shouldOpenATermWhenElectedAndPublishThroughItsWriter() {
        controller.start();
        assertEquals(TermState.STANDBY, controller.termState());

        elector.elect(3);

        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);
        assertEquals(List.of("activated"), dutyCalls);
        controller.changePlacement(placement("us-east", 1), "test");
        FakeWriter writer = writers.get(0);
        assertEquals(3, writer.epoch());
        // leadership event, then placement + fence in one transaction
        assertEquals(List.of(Topics.CONTROLLER.name()), writer.committed.get(0));
        assertEquals(List.of(Topics.PLACEMENTS.name(), Topics.WAL.name()), writer.committed.get(1));
        assertEquals(1, controller.committedPlacement(TENANT).orElseThrow().epoch());
    }

    @Test
    void shouldReopenItsWriterWhenATransactionBreaksWhileItStillLeads() {
        controller.start();
        elector.elect(3);
        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);
        controller.changePlacement(placement("us-east", 1), "test");

        writers.get(0).failNext = new ControllerWriteException("commit timed out (test)", 3, null);
        assertThrows(ControllerWriteException.class, () -> controller.changePlacement(placement("eu-west", 2), "t"));

        await().atMost(WAIT).until(() -> writers.size() == 2 && controller.termState() == TermState.ACTIVE);
        assertTrue(writers.get(0).closed, "the broken writer is closed");
        assertEquals(List.of("activated", "deactivated", "activated"), dutyCalls);
        controller.changePlacement(placement("eu-west", 2), "after-reopen");
    }

    @Test
    void shouldReopenWhenFencedByAZombieButStandByWhenDeposed() {
        controller.start();
        elector.elect(3);
        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);

        writers.get(0).fenceNext = true;  // a zombie opened the transactional id
        assertThrows(ControlPlane.NotControllerException.class,
                () -> controller.changePlacement(placement("us-east", 1), "t"));
        await().atMost(WAIT).until(() -> writers.size() == 2 && controller.termState() == TermState.ACTIVE);

        elector.depose();
        await().atMost(WAIT).until(() -> controller.termState() == TermState.STANDBY);
        assertTrue(writers.get(1).closed);
        assertThrows(ControlPlane.NotControllerException.class,
                () -> controller.changePlacement(placement("us-east", 1), "t"));

        elector.elect(5);  // a later term on this node plans from what the earlier ones committed
        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);
        assertEquals(5, writers.get(2).epoch());
    }

    @Test
    void shouldRunAManualFailoverThroughTheFailoverDuty() {
        controller.start();
        elector.elect(3);
        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);
        controller.changePlacement(placement("us-east", 1), "test");

        FailoverEvent event = controller.failover("us-east", Optional.of("eu-west"), false);

        assertEquals(1, event.tenants().size(), event.toString());
        assertEquals("eu-west", controller.committedPlacement(TENANT).orElseThrow().primary());
        assertEquals(2, controller.committedPlacement(TENANT).orElseThrow().epoch());
    }

    @Test
    void shouldCommitABatchOfTenantsPlacementsAndFencesInOneTransaction() {
        active();
        List<Placement> batch = List.of(placement("t1", "us-east", 1), placement("t2", "eu-west", 1),
                placement("t3", "us-east", 1));

        var fences = controller.changePlacements(batch, "bulk");

        assertEquals(3, fences.size());
        FakeWriter writer = writers.get(0);
        assertEquals(2, writer.committed.size(), "leadership event, then ONE transaction for the batch");
        assertEquals(List.of(Topics.PLACEMENTS.name(), Topics.WAL.name(), Topics.PLACEMENTS.name(), Topics.WAL.name(),
                Topics.PLACEMENTS.name(), Topics.WAL.name()), writer.committed.get(1));
        assertEquals("eu-west", controller.committedPlacement("t2").orElseThrow().primary());
    }

    @Test
    void shouldWriteNothingOfABatchWhenOnePlacementIsPlannedFromAStaleEpoch() {
        active();
        controller.changePlacement(placement("us-east", 1), "test");
        int before = writers.get(0).committed.size();

        // t-new is fine, but TENANT is at epoch 1 already: the whole batch is refused.
        assertThrows(PlacementConflictException.class, () -> controller.changePlacements(
                List.of(placement("t-new", "us-east", 1), placement(TENANT, "eu-west", 1)), "bulk"));

        assertEquals(before, writers.get(0).committed.size(), "nothing of the batch was written");
        assertTrue(controller.committedPlacement("t-new").isEmpty());
        assertEquals(1, controller.committedPlacement(TENANT).orElseThrow().epoch());
    }

    @Test
    void shouldRefuseAnEmptyAnOversizedOrADuplicatingBatch() {
        active();
        List<Placement> tooMany = new ArrayList<>();
        for (int i = 0; i <= PlacementPublisher.MAX_BATCH; i++) {
            tooMany.add(placement("t" + i, "us-east", 1));
        }
        assertThrows(IllegalArgumentException.class, () -> controller.changePlacements(List.of(), "bulk"));
        assertThrows(IllegalArgumentException.class, () -> controller.changePlacements(tooMany, "bulk"));
        assertThrows(IllegalArgumentException.class, () -> controller.changePlacements(
                List.of(placement("t1", "us-east", 1), placement("t1", "eu-west", 1)), "bulk"));
        assertEquals(1, writers.get(0).committed.size(), "only the leadership event");
    }

    @Test
    void shouldFailOverARegionsTenantsInAFewBoundedTransactionsEachWithTheEventPartsListingThem() {
        active();
        int perTransaction = FailoverDuty.TRANSACTION_TENANTS;
        int tenants = perTransaction * 2 + 500;
        List<Placement> all = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            all.add(placement(String.format("t%05d", i), "us-east", 1));
        }
        PlacementPublisher.batches(all, PlacementPublisher.MAX_BATCH).forEach(b -> controller.changePlacements(b, "x"));
        FakeWriter writer = writers.get(0);
        int before = writer.committed.size();

        FailoverEvent event = controller.failover("us-east", Optional.of("eu-west"), false);

        assertEquals(tenants, event.tenants().size());
        List<List<String>> failover = writer.committed.subList(before, writer.committed.size());
        assertEquals(3, failover.size(), "one transaction per " + perTransaction + " tenants");
        for (int i = 0; i < 3; i++) {
            List<String> topics = failover.get(i);
            int moved = i < 2 ? perTransaction : 500;
            int parts = (moved + FailoverDuty.PART_TENANTS - 1) / FailoverDuty.PART_TENANTS;
            assertEquals(2 * moved + parts, topics.size());
            assertEquals(Collections.nCopies(parts, Topics.CONTROLLER.name()),
                    topics.subList(topics.size() - parts, topics.size()), "the event parts, last");
        }
        assertEquals("eu-west", controller.committedPlacement(String.format("t%05d", tenants - 1)).orElseThrow()
                .primary());
    }

    private void active() {
        controller.start();
        elector.elect(3);
        await().atMost(WAIT).until(() -> controller.termState() == TermState.ACTIVE);
    }

    private static Placement placement(String tenant, String primary, long epoch) {
        return new Placement(tenant, primary, List.of("us-east", "eu-west"), epoch, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    }

    private Controller controller() {
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FailoverDuty failover = new FailoverDuty(new FailoverPlanner(FailoverPolicy.defaults(Duration.ofSeconds(5)),
                tenant -> 0), false, Duration.ofMinutes(1), (window, now) -> InhibitWindows.empty(window), "node-a",
                registry, clock);
        // Each term of this node shares one ledger: the fake "reads" what earlier terms committed.
        PlacementLedger ledger = PlacementLedger.empty();
        TermOpener opener = (epoch, onFenced) -> {
            FakeWriter writer = new FakeWriter(epoch, onFenced);
            writers.add(writer);
            return new PlacementPublisher(writer, ledger, new HybridLogicalClock(clock));
        };
        Controller c = new Controller("node-a", "us-east", elector, health, opener, failover, tenant -> 0, registry,
                clock);
        c.addDuty(new ControllerDuty() {
            @Override
            public void onActivated(ControllerContext context) {
                dutyCalls.add("activated");
            }

            @Override
            public void tick(long nowMillis) {
            }

            @Override
            public void onDeactivated() {
                dutyCalls.add("deactivated");
            }
        });
        return c;
    }

    private static Placement placement(String primary, long epoch) {
        return new Placement(TENANT, primary, List.of("us-east", "eu-west"), epoch, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    }

    /** A writer whose transactions commit in memory; the next one can fail or be fenced. */
    private static final class FakeWriter implements ControllerWriter {
        private final long epoch;
        private final Runnable onFenced;
        private final AtomicLong offsets = new AtomicLong();
        final List<List<String>> committed = new CopyOnWriteArrayList<>();
        volatile RuntimeException failNext;
        volatile boolean fenceNext;
        volatile boolean closed;

        FakeWriter(long epoch, Runnable onFenced) {
            this.epoch = epoch;
            this.onFenced = onFenced;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public synchronized void inTransaction(Consumer<ControllerTransaction> body) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (fenceNext) {
                ControllerFencedException fenced = new ControllerFencedException("fenced (test)", epoch, null);
                onFenced.run();
                throw fenced;
            }
            RuntimeException failure = failNext;
            if (failure != null) {
                failNext = null;
                throw failure;
            }
            List<String> topics = new ArrayList<>();
            body.accept(new ControllerTransaction() {
                @Override
                public long epoch() {
                    return epoch;
                }

                @Override
                public <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value) {
                    topics.add(topic.name());
                    return CompletableFuture.completedFuture(new RecordMetadata(new TopicPartition(topic.name(), 0),
                            offsets.getAndIncrement(), 0, 0, 0, 0));
                }

                @Override
                public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
                    topics.add(record.topic());
                    return CompletableFuture.completedFuture(new RecordMetadata(new TopicPartition(record.topic(), 0),
                            offsets.getAndIncrement(), 0, 0, 0, 0));
                }
            });
            committed.add(topics);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Two healthy regions. */
    private static final class FakeHealth implements HealthView {
        @Override
        public HealthSnapshot snapshot() {
            long now = System.currentTimeMillis();
            return HealthSnapshot.of(now, List.of(status("us-east"), status("eu-west")));
        }

        private static RegionStatus status(String region) {
            return new RegionStatus(region, RegionHealth.HEALTHY, 0, false, OptionalLong.of(100), 0, 3, 1_000, 2_000,
                    Set.of(region + "-1"), Map.of(0, 10L), Map.of());
        }

        @Override
        public Duration interval() {
            return Duration.ofMillis(100);
        }

        @Override
        public void addChangeListener(Consumer<RegionHealthChange> listener) {
        }
    }

    /** An elector the test elects and deposes. */
    private static final class FakeElector implements LeaderElector {
        private final ElectionCandidate self = new ElectionCandidate("node-a", "us-east", "http://node-a", 0);
        private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
        private volatile boolean leader;
        private volatile long epoch = -1;

        void elect(long newEpoch) {
            epoch = newEpoch;
            leader = true;
            listeners.forEach(l -> l.onElected(newEpoch));
        }

        void depose() {
            leader = false;
            listeners.forEach(l -> l.onDeposed(epoch, "test"));
        }

        @Override
        public void start() {
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public Optional<ElectionCandidate> leader() {
            return leader ? Optional.of(self) : Optional.empty();
        }

        @Override
        public ElectionState state() {
            return leader ? ElectionState.LEADER : ElectionState.CANDIDATE;
        }

        @Override
        public boolean hasQuorum() {
            return true;
        }

        @Override
        public String backend() {
            return "fake";
        }

        @Override
        public ElectionCandidate self() {
            return self;
        }

        @Override
        public List<ElectionCandidate> liveNodes() {
            return List.of(self);
        }

        @Override
        public ElectionSnapshot snapshot() {
            return ElectionSnapshot.of("fake", state(), epoch, true, leader(), self, "0");
        }

        @Override
        public void addListener(LeadershipListener listener) {
            listeners.add(listener);
        }

        @Override
        public void removeListener(LeadershipListener listener) {
            listeners.remove(listener);
        }

        @Override
        public void close() {
        }
    }
}
