package io.meridian.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.router.internal.PlacementAdmin;
import io.meridian.router.internal.PlacementWatch;
import io.meridian.router.internal.SyncReporter;
import io.meridian.streams.SyncStatus;
import io.meridian.streams.SyncTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sync reporter on the controller's own node: it asks for the reseed of a region that needs one, reports a
 * caught-up sync so the controller clears 'syncing', and tells the retention guard when every tenant caught up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncReporterTest {
    private final FakeRegion region = new FakeRegion();
    private final InMemoryControlPlane controlPlane = new InMemoryControlPlane(
            new ElectionCandidate("eu-west-1", "eu-west", "http://127.0.0.1:1", 0));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService serial = Executors.newSingleThreadExecutor();
    private final SyncTracker syncs = new SyncTracker("eu-west", new SimpleMeterRegistry(), Clock.systemUTC());
    private SyncReporter reporter;

    @BeforeEach
    void setUp() {
        region.syncs = syncs;
        controlPlane.deliverTo(region, Duration.ZERO);
        PlacementAdmin admin = new PlacementAdmin(region, controlPlane,
                new PlacementWatch(region::placement, timer, serial), serial, Duration.ofSeconds(5));
        region.addPlacementListener(p -> { });
        reporter = new SyncReporter("eu-west", region, controlPlane, admin, null, "token");
    }

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
        serial.shutdownNow();
    }

    private static Placement acme(String primary, long epoch) {
        return new Placement("acme", primary, List.of("us-east", "eu-west"), epoch, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    }

    private static SyncStatus caughtUp(long epoch) {
        return new SyncStatus("acme", "eu-west", SyncStatus.CAUGHT_UP, "us-east", "0:10", epoch, epoch, 5, 500, 5, 500,
                0, "sha256:x", "sha256:x");
    }

    @Test
    void shouldReseedARegionThatNeedsItThenReportCaughtUpAndClearTheMark() {
        region.setPlacement(acme("us-east", 4));
        AtomicBoolean needsReseed = new AtomicBoolean(true);
        reporter.autoReseed(needsReseed::get, () -> needsReseed.set(false));

        reporter.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> controlPlane.published.size() == 1);
        Placement reseeding = controlPlane.published.get(0);
        assertEquals(5, reseeding.epoch());
        assertEquals(List.of("eu-west"), reseeding.syncing());

        await().atMost(Duration.ofSeconds(10)).until(() -> region.placement("acme").orElseThrow().epoch() == 5);
        reporter.run();  // the applier has not caught up yet: nothing more
        syncs.onSync(caughtUp(5));
        reporter.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> controlPlane.published.size() == 2);
        assertEquals(6, controlPlane.published.get(1).epoch());
        assertTrue(controlPlane.published.get(1).syncing().isEmpty(), "the controller cleared syncing");

        await().atMost(Duration.ofSeconds(10)).until(() -> region.placement("acme").orElseThrow().epoch() == 6);
        syncs.onSync(new SyncStatus("acme", "eu-west", SyncStatus.ENDED, "us-east", "0:10", 5, 6, 5, 500, 5, 500, 0,
                "sha256:x", "sha256:x"));
        reporter.run();
        assertFalse(needsReseed.get(), "every tenant caught up: the mark is cleared");
        assertEquals(2, controlPlane.published.size());
    }

    @Test
    void shouldNotReseedARegionThatIsThePrimaryOfATenant() throws InterruptedException {
        region.setPlacement(acme("eu-west", 4));
        reporter.autoReseed(() -> true, () -> { });
        reporter.run();
        Thread.sleep(200);
        assertTrue(controlPlane.published.isEmpty(), "fail it over first");
    }

    @Test
    void shouldNotReportACaughtUpSyncOfAnOlderEpoch() throws InterruptedException {
        Placement syncing = acme("us-east", 5).withReplicas(List.of("us-east", "eu-west"), List.of("eu-west"), 7);
        region.setPlacement(syncing);
        syncs.onSync(caughtUp(5));  // caught up before the tenant's latest fence (epoch 7) reached the applier
        reporter.run();
        Thread.sleep(200);
        assertTrue(controlPlane.published.isEmpty());
    }
}
