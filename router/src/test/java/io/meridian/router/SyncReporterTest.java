package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meridian.election.ElectionCandidate;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.router.internal.PlacementAdmin;
import io.meridian.router.internal.PlacementWatch;
import io.meridian.router.internal.RegionView;
import io.meridian.router.internal.SyncReporter;
import io.meridian.streams.RegionStreams;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.SyncStatus;
import io.meridian.streams.SyncTracker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The sync reporter on the controller's own node, on the real components: eu-west's applier and placement view
 * ({@link SharedRegions}; its real {@link SyncTracker} hears the syncs), the us-east applier that takes the snapshot at
 * the fence, and a {@link SingleNodeControlPlane} committing placements and fences through the controller's
 * transactional producer ({@link ControllerLog}). It asks for the reseed of a region that needs one, reports a
 * caught-up sync so the controller clears 'syncing', and tells the retention guard when every tenant caught up.
 * The reporter runs when a test calls it (the router runs it every second). What the controller committed is read back
 * from the WAL (its fences); what the reporter decided not to do, from its log.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SyncReporterTest {
    private static final String REGION = "eu-west";
    private static final String SOURCE = "us-east";
    private static final List<String> BOTH = List.of(SOURCE, REGION);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HybridLogicalClock HLC = new HybridLogicalClock(Clock.systemUTC());
    /** Writes the tenants' documents as the primary's router would. */
    private static Producer<String, WalRecord> wal;

    /** This test's tenants: the only ones the reporter's view of eu-west shows. */
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService serial = Executors.newSingleThreadExecutor();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger reporterLog = (Logger) LoggerFactory.getLogger(SyncReporter.class);
    private SyncReporter reporter;

    @BeforeAll
    static void startAppliers() {
        SharedRegions.region(SOURCE);
        SharedRegions.region(REGION);
        wal = new KafkaProducer<>(WalProducerSettings.forWrites(SharedRegions.cluster().clientConfig(),
                "sync-reporter-test", WAIT), Topics.WAL.keySerde().serializer(), Topics.WAL.valueSerde().serializer());
    }

    @AfterAll
    static void closeProducer() {
        wal.close(Duration.ofSeconds(5));
    }

    @BeforeEach
    void setUp() {
        RegionView view = new TenantsView(RegionView.of(SharedRegions.region(REGION).streams()), tenants);
        ControlPlane controlPlane = new SingleNodeControlPlane(SharedRegions.controllerLog(),
                new ElectionCandidate(REGION + "-sync-reporter-test", REGION, "http://127.0.0.1:1", 0),
                Clock.systemUTC());
        // As in RouterServer: waiters complete on another executor than the admin's serial one.
        PlacementWatch watch = new PlacementWatch(view::placement, timer, ForkJoinPool.commonPool());
        view.addPlacementListener(watch::onPlacementChange);
        PlacementAdmin admin = new PlacementAdmin(view, controlPlane, watch, serial, WAIT);
        reporter = new SyncReporter(REGION, view, controlPlane, admin, null, "token");
        log.start();
        reporterLog.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        reporterLog.detachAppender(log);
        timer.shutdownNow();
        serial.shutdownNow();
    }

    @Test
    void shouldReseedARegionThatNeedsItThenReportCaughtUpAndClearTheMark() {
        List<String> held = List.of(givenTenant("reseed-a", SOURCE, BOTH), givenTenant("reseed-b", SOURCE, BOTH));
        AtomicBoolean needsReseed = new AtomicBoolean(true);
        reporter.autoReseed(needsReseed::get, () -> needsReseed.set(false));

        reporter.run();
        for (String tenant : held) {
            awaitView(tenant, p -> p.epoch() == 5 && p.syncing().equals(List.of(REGION)), "the reseed at epoch 5");
        }
        reporter.run();  // asked already: not again
        // The us-east applier sends its copy at the fence; eu-west drops its own, takes the snapshot and catches up.
        awaitRunning(() -> held.stream().allMatch(t -> view(t).filter(p -> p.epoch() == 6).isPresent()),
                "the controller to clear 'syncing' of " + held);
        awaitRunning(() -> !needsReseed.get(), "the needs-reseed mark to be cleared");
        runAWhile();

        for (String tenant : held) {
            List<Placement> fences = fences(tenant);
            assertEquals(List.of(4L, 5L, 6L), fences.stream().map(Placement::epoch).toList(),
                    "one reseed asked, one clearing, nothing after");
            assertEquals(List.of(REGION), fences.get(1).syncing());
            assertTrue(fences.get(2).syncing().isEmpty(), "the controller cleared syncing");
            SyncStatus ended = syncs().progress(tenant).orElseThrow().status();
            assertEquals(3, ended.documentsCopied(), "the snapshot copied every document: " + ended);
            assertEquals(ended.sourceDigest(), ended.digest());
            assertTrue(document(tenant, "k2").isPresent(), "eu-west holds the copy");
        }
    }

    @Test
    void shouldNotReseedARegionThatIsThePrimaryOfATenant() {
        String primaryHere = givenTenant("primary", REGION, List.of(REGION, SOURCE));
        String replicaHere = givenTenant("replica", SOURCE, BOTH);
        reporter.autoReseed(() -> true, () -> { });

        runAWhile();

        assertEquals(List.of(4L), fences(primaryHere).stream().map(Placement::epoch).toList(), "fail it over first");
        assertEquals(List.of(4L), fences(replicaHere).stream().map(Placement::epoch).toList());
        assertTrue(logged("cannot be re-seeded by itself: it is the primary of [" + primaryHere + "]"), messages());
        assertFalse(logged("asking the controller"), "the controller was not asked: " + messages());
    }

    @Test
    void shouldNotReportACaughtUpSyncOfAnOlderEpoch() {
        String tenant = givenTenant("stale", SOURCE, BOTH);
        Placement syncing = view(tenant).orElseThrow().withReplicas(BOTH, List.of(REGION), 5);
        SharedRegions.controllerLog().commit(syncing, "full sync (test)");
        awaitUntil(() -> syncs().caughtUp().stream().anyMatch(s -> s.tenant().equals(tenant) && s.fenceEpoch() == 5),
                "eu-west to catch up at epoch 5");
        // The controller's next change (epoch 7) is in the placement view, but its fence has not reached the applier.
        Placement later = syncing.withReplicas(BOTH, List.of(REGION), 7);
        SharedRegions.controllerLog().placementOnly(later);
        awaitView(tenant, p -> p.epoch() == 7, "epoch 7 in the view");

        runAWhile();

        assertFalse(logged("tenant=" + tenant), "not reported: " + messages());
        assertEquals(List.of(4L, 5L), fences(tenant).stream().map(Placement::epoch).toList());
        assertEquals(List.of(REGION), view(tenant).orElseThrow().syncing());

        // Once the applier is at epoch 7 too, the same sync is reported and the controller clears 'syncing'.
        SharedRegions.controllerLog().fenceOnly(later, "full sync (test)");
        awaitRunning(() -> view(tenant).filter(p -> p.epoch() == 8 && p.syncing().isEmpty()).isPresent(),
                "the controller to clear 'syncing' at epoch 8");
        assertEquals(List.of(4L, 5L, 7L, 8L), fences(tenant).stream().map(Placement::epoch).toList());
    }

    // ---- helpers

    /**
     * A tenant of this test at epoch 4, committed as the controller commits it and shown by both regions, with three
     * documents written to the WAL by its primary and applied in both regions.
     */
    private String givenTenant(String prefix, String primary, List<String> replicas) {
        String tenant = SharedRegions.tenant(prefix);
        tenants.add(tenant);
        Placement placement = RouterHarness.placement(tenant, primary, replicas, 4, WriteState.ACTIVE);
        SharedRegions.controllerLog().commit(placement, "test");
        SharedRegions.awaitVisible(SOURCE, placement);
        SharedRegions.awaitVisible(REGION, placement);
        for (int i = 1; i <= 3; i++) {
            WalRecord put = new WalRecord.Put(tenant, "k" + i, RawJson.of(Json.toTree(Map.of("n", i))), 4, primary, HLC.now(),
                    UUID.randomUUID().toString());
            try {
                wal.send(new ProducerRecord<>(Topics.WAL.name(), tenant, put)).get(WAIT.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("write to the WAL failed", e);
            }
        }
        for (String region : List.of(SOURCE, REGION)) {
            RegionStreams streams = SharedRegions.region(region).streams();
            awaitUntil(() -> streams.document(tenant, "k3").isPresent(), region + " to apply " + tenant + "'s writes");
        }
        return tenant;
    }

    private Optional<Placement> view(String tenant) {
        return SharedRegions.placement(REGION, tenant);
    }

    private static Optional<StoredDocument> document(String tenant, String key) {
        return SharedRegions.region(REGION).streams().document(tenant, key);
    }

    private static SyncTracker syncs() {
        return SharedRegions.region(REGION).streams().syncs();
    }

    /** The placements of {@code tenant}'s fences in the WAL: what the controller committed, in order. */
    private static List<Placement> fences(String tenant) {
        return SharedRegions.walRecords(tenant).stream().filter(r -> r instanceof WalRecord.Fence)
                .map(r -> ((WalRecord.Fence) r).placement()).toList();
    }

    private void awaitView(String tenant, Predicate<Placement> shows, String what) {
        awaitUntil(() -> view(tenant).filter(shows).isPresent(), what + " of " + tenant);
    }

    private static void awaitUntil(BooleanSupplier condition, String what) {
        SharedRegions.awaitUntil(WAIT, condition, what);
    }

    /** Runs the reporter every 100 ms, as the router's timer would (every second), until {@code condition}. */
    private void awaitRunning(BooleanSupplier condition, String what) {
        awaitUntil(() -> {
            reporter.run();
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(100);
            return false;
        }, what);
    }

    /** The reporter's runs of a few seconds, and the time for whatever it asked to be committed and seen. */
    private void runAWhile() {
        for (int i = 0; i < 5; i++) {
            reporter.run();
            pause(200);
        }
        pause(1_000);
    }

    private boolean logged(String part) {
        return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(part));
    }

    private String messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList().toString();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * eu-west's real view, showing only {@code tenants}. On the shared cluster eu-west also holds the tenants of the
     * other test classes of the JVM (some with eu-west as their primary), and a reseed covers every tenant its region
     * holds: the reporter's region must hold this test's tenants alone. Everything shown is the real view's.
     */
    private record TenantsView(RegionView real, Set<String> tenants) implements RegionView {
        @Override
        public Optional<Placement> placement(String tenant) {
            return tenants.contains(tenant) ? real.placement(tenant) : Optional.empty();
        }

        @Override
        public List<Placement> placements() {
            return real.placements().stream().filter(p -> tenants.contains(p.tenant())).toList();
        }

        @Override
        public Optional<StoredDocument> document(String tenant, String key) {
            return tenants.contains(tenant) ? real.document(tenant, key) : Optional.empty();
        }

        @Override
        public boolean isReady() {
            return real.isReady();
        }

        @Override
        public void addPlacementListener(Consumer<Placement> listener) {
            real.addPlacementListener(p -> {
                if (tenants.contains(p.tenant())) {
                    listener.accept(p);
                }
            });
        }

        @Override
        public Optional<SyncTracker> syncs() {
            return real.syncs();
        }
    }
}
