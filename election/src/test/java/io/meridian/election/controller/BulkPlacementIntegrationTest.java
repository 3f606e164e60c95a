package io.meridian.election.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerProducer;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Placement changes in bulk on real brokers: a batch is ONE transaction of the controller's fenced producer, so
 * read_committed readers (every placement view, the next controller's ledger) see all of it or nothing, and a
 * deposed controller whose producer the next one fenced commits nothing of a batch it was writing.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BulkPlacementIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestCluster cluster;
    private String prefix;
    private String transactionalId;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        prefix = cluster.uniqueName("bulk");
        // A transactional id of this test's own: it must not fence the controllers of other tests.
        transactionalId = cluster.uniqueName("bulk-controller");
    }

    @AfterEach
    void tearDown() throws Exception {
        java.util.Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void shouldCommitABatchOfTenantsWholeAndAbortItWholeWhenTheTransactionFails() {
        PlacementPublisher publisher = publisher(1);
        List<Placement> first = placements("ok", 500);

        List<Position> fences = publisher.publishAll(first, "bulk-test", positions -> tx -> { });

        assertEquals(500, fences.size());
        assertEquals(500, new HashSet<>(fences).size(), "a fence of its own for every tenant");
        assertAllCommitted(first, "reader-1");

        // The second batch's records all reach the brokers, then the transaction fails before its commit.
        List<Placement> second = placements("aborted", 500);
        assertThrows(IllegalStateException.class, () -> publisher.publishAll(second, "bulk-test", positions -> tx -> {
            throw new IllegalStateException("the event could not be built (test)");
        }));

        PlacementLedger after = PlacementLedger.read(kafka(), prefix + "-reader-2", TIMEOUT);
        second.forEach(p -> assertTrue(after.get(p.tenant()).isEmpty(), p.tenant() + " of the aborted batch"));
        second.forEach(p -> assertTrue(publisher.placement(p.tenant()).isEmpty(), "the term's ledger kept nothing"));
        // Nothing is left half-done: the same batch commits on the next try.
        publisher.publishAll(second, "bulk-test", positions -> tx -> { });
        assertAllCommitted(second, "reader-3");
    }

    @Test
    void shouldCommitNothingOfTheBatchADeposedControllerWasWriting() {
        PlacementPublisher deposed = publisher(1);
        List<Placement> batch = placements("zombie", 300);

        // The next controller opens the shared transactional id while the deposed one's batch is in flight.
        assertThrows(ControllerFencedException.class, () -> deposed.publishAll(batch, "bulk-test",
                positions -> tx -> closeables.add(new ControllerProducer(kafka(), transactionalId, 2, () -> true,
                        TIMEOUT, (epoch, e) -> { }))));

        PlacementLedger next = PlacementLedger.read(kafka(), prefix + "-reader-4", TIMEOUT);
        batch.forEach(p -> assertTrue(next.get(p.tenant()).isEmpty(), p.tenant() + " of the fenced batch"));
        assertThrows(ControllerFencedException.class,
                () -> deposed.publishAll(placements("later", 1), "bulk-test", positions -> tx -> { }));
    }

    /**
     * The ledger's read waits for every transaction below the high watermark to be decided. The placements topic is
     * shared with the other tests of this JVM, and a transaction one of them left open holds that read until the
     * coordinator aborts it (transaction.timeout.ms, 60 s by default), so this retries past that and names any
     * transaction still open.
     */
    private void assertAllCommitted(List<Placement> batch, String reader) {
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                PlacementLedger committed = PlacementLedger.read(kafka(), prefix + "-" + reader, TIMEOUT);
                batch.forEach(p -> assertEquals(p, committed.get(p.tenant()).orElseThrow(),
                        p.tenant() + " is not visible to read_committed readers"));
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; transactions still open: " + openTransactions(), e);
        }
    }

    private String openTransactions() {
        try (Admin admin = cluster.admin()) {
            List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> t.state() == TransactionState.ONGOING).map(TransactionListing::transactionalId)
                    .toList();
            return ids.isEmpty() ? "none" : admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS).toString();
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    private PlacementPublisher publisher(long epoch) {
        ControllerProducer producer = new ControllerProducer(kafka(), transactionalId, epoch, () -> true, TIMEOUT,
                (e, cause) -> { });
        PlacementPublisher publisher = new PlacementPublisher(producer, PlacementLedger.empty(),
                new HybridLogicalClock(Clock.systemUTC()));
        closeables.add(publisher);
        return publisher;
    }

    private List<Placement> placements(String name, int count) {
        List<Placement> placements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            placements.add(new Placement(prefix + "-" + name + "-" + i, i % 2 == 0 ? "us-east" : "eu-west",
                    List.of("us-east", "eu-west"), 1, WriteState.ACTIVE, ConflictStrategy.REJECT,
                    ReplicationMode.SINGLE_PRIMARY));
        }
        return placements;
    }

    private Map<String, Object> kafka() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        return props;
    }
}
