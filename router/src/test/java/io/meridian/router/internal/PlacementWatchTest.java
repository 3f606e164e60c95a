package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PlacementWatchTest {
    private final Map<String, Placement> view = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final PlacementWatch watch = new PlacementWatch(t -> Optional.ofNullable(view.get(t)), timer,
            Runnable::run);

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
    }

    private static Placement placement(long epoch) {
        return new Placement("acme", "us-east", List.of("us-east"), epoch, WriteState.ACTIVE, ConflictStrategy.REJECT,
                ReplicationMode.SINGLE_PRIMARY);
    }

    @Test
    void shouldCompleteAtOnceWhenTheViewAlreadyShowsTheEpoch() {
        view.put("acme", placement(3));
        assertEquals(Optional.of(placement(3)), watch.awaitEpoch("acme", 2, Duration.ofSeconds(10)).join());
        assertEquals(0, watch.waiting());
    }

    @Test
    void shouldCompleteOnTheFirstChangeThatReachesTheEpoch() {
        view.put("acme", placement(1));
        CompletableFuture<Optional<Placement>> waiting = watch.awaitEpoch("acme", 3, Duration.ofSeconds(10));

        watch.onPlacementChange(placement(2));
        assertFalse(waiting.isDone());
        watch.onPlacementChange(placement(3));

        assertEquals(Optional.of(placement(3)), waiting.join());
        assertEquals(0, watch.waiting());
    }

    @Test
    void shouldIgnoreChangesOfOtherTenants() {
        CompletableFuture<Optional<Placement>> waiting = watch.awaitEpoch("acme", 1, Duration.ofSeconds(10));
        watch.onPlacementChange(new Placement("other", "us-east", List.of("us-east"), 9, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY));
        assertFalse(waiting.isDone());
        assertEquals(1, watch.waiting());
    }

    @Test
    void shouldCompleteEmptyAfterTheWaitAndForgetTheWaiter() {
        long start = System.nanoTime();
        Optional<Placement> result = watch.awaitEpoch("acme", 1, Duration.ofMillis(100)).join();
        assertEquals(Optional.empty(), result);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(90));
        assertEquals(0, watch.waiting());
        assertEquals(Optional.empty(), watch.awaitEpoch("acme", 1, Duration.ZERO).join());
    }

    @Test
    void shouldCompleteEveryWaiterExactlyOnceUnderConcurrentChanges() throws Exception {
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Optional<Placement>>> waiters = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                waiters.add(watch.awaitEpoch("acme", 1 + i % 5, Duration.ofSeconds(20)));
            }
            for (long epoch = 1; epoch <= 5; epoch++) {
                long e = epoch;
                pool.execute(() -> watch.onPlacementChange(placement(e)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> waiters.stream().allMatch(CompletableFuture::isDone));
            for (CompletableFuture<Optional<Placement>> w : waiters) {
                assertNotEquals(Optional.empty(), w.join());
            }
            assertEquals(0, watch.waiting());
        } finally {
            pool.shutdownNow();
        }
    }
}
