package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Position;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bridge between the applier's stream thread and request threads: verdicts of writes and applied positions. */
@Timeout(30)
class ApplyTrackerTest {
    private static final Duration LONG_WAIT = Duration.ofMinutes(1);

    private final ApplyTracker tracker = new ApplyTracker();

    @Test
    void shouldAdvanceAppliedPositionsStoreAndTrackerWithEveryRecord() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, tracker)) {
            assertEquals(OptionalLong.empty(), tracker.appliedOffset(0));
            assertNull(applier.appliedOffset(0));

            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            assertEquals(0L, applier.appliedOffset(0));
            assertEquals(OptionalLong.of(0), tracker.appliedOffset(0));

            applier.pipe(put(ACME, "k", "{}", 1, US_EAST, 1, "w1"));
            applier.pipe(put(ACME, "k", "{}", 9, US_EAST, 2, "w2"));  // rejected records advance the position too

            assertEquals(2L, applier.appliedOffset(0));
            assertEquals(OptionalLong.of(2), tracker.appliedOffset(0));
            assertEquals(Map.of(0, 2L), tracker.appliedOffsets());
            assertEquals(OptionalLong.empty(), tracker.appliedOffset(1));
        }
    }

    @Test
    void shouldTrackAppliedOffsetPerPartitionAndNeverGoBack() {
        tracker.onApplied(new Position(1, 5));
        tracker.onApplied(new Position(3, 7));
        tracker.onApplied(new Position(1, 4));  // e.g. a restored position reported after a newer one

        assertEquals(OptionalLong.of(5), tracker.appliedOffset(1));
        assertEquals(OptionalLong.of(7), tracker.appliedOffset(3));
        assertEquals(OptionalLong.empty(), tracker.appliedOffset(2));
        assertEquals(Map.of(1, 5L, 3, 7L), tracker.appliedOffsets());
    }

    @Test
    void shouldCompleteAwaitAppliedAtOnceForPassedPosition() {
        tracker.onApplied(new Position(2, 10));

        assertTrue(tracker.awaitApplied(new Position(2, 10), LONG_WAIT).isDone());
        assertTrue(tracker.awaitApplied(new Position(2, 3), LONG_WAIT).isDone());
        assertFalse(tracker.awaitApplied(new Position(2, 11), LONG_WAIT).isDone());
        assertFalse(tracker.awaitApplied(new Position(1, 0), LONG_WAIT).isDone(), "partitions are apart");
    }

    @Test
    void shouldCompleteAwaitAppliedWhenApplierReachesPosition() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, tracker)) {
            CompletableFuture<Void> atTwo = tracker.awaitApplied(new Position(0, 2), LONG_WAIT);
            CompletableFuture<Void> atThree = tracker.awaitApplied(new Position(0, 3), LONG_WAIT);

            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            applier.pipe(put(ACME, "k", "{}", 1, US_EAST, 1, "w1"));
            assertFalse(atTwo.isDone());

            applier.pipe(put(ACME, "k", "{}", 1, US_EAST, 2, "w2"));

            assertTrue(atTwo.isDone());
            assertFalse(atTwo.isCompletedExceptionally());
            assertFalse(atThree.isDone());
            assertEquals(1, waiters(tracker, 0), "only the waiter at offset 3 is left");
        }
    }

    @Test
    void shouldTimeOutAwaitAppliedForFarPositionAndForgetTheWaiter() {
        tracker.onApplied(new Position(0, 1));

        CompletableFuture<Void> far = tracker.awaitApplied(new Position(0, 1_000_000), Duration.ofMillis(50));

        ExecutionException failure = assertThrows(ExecutionException.class, () -> far.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failure.getCause());
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters(tracker, 0) == 0);
        tracker.onApplied(new Position(0, 1_000_000));  // reaching it later changes nothing for the timed-out read
        assertTrue(far.isCompletedExceptionally());
    }

    @Test
    void shouldCompleteExpectedWriteWithTheApplierVerdict() throws Exception {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, tracker)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            CompletableFuture<ApplyOutcome> accepted = tracker.expect("w1");
            CompletableFuture<ApplyOutcome> rejected = tracker.expect("w2");
            assertFalse(accepted.isDone());

            applier.pipe(put(ACME, "k", "{}", 1, US_EAST, 1, "w1"));
            applier.pipe(put(ACME, "k", "{}", 1, "eu-west", 2, "w2"));

            ApplyOutcome acceptedOutcome = accepted.get(0, TimeUnit.SECONDS);
            assertEquals(Verdict.ACCEPTED, acceptedOutcome.verdict());
            assertEquals(new Position(0, 1), acceptedOutcome.position());
            assertSame(applier.listener.decisions.get(0), acceptedOutcome);
            assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, rejected.get(0, TimeUnit.SECONDS).verdict());
            // the id is free again once decided
            assertFalse(tracker.expect("w1").isDone());
        }
    }

    @Test
    void shouldRefuseToExpectTheSameWriteTwice() {
        tracker.expect("w1");

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> tracker.expect("w1"));
        assertTrue(error.getMessage().contains("w1"), error.getMessage());
    }

    @Test
    void shouldNotCompleteForgottenWriteAndIgnoreVerdictsOfUnknownWrites() {
        CompletableFuture<ApplyOutcome> forgotten = tracker.expect("w1");
        tracker.forget("w1");

        ApplyOutcome outcome = new ApplyOutcome("w1", new Position(0, 0), Verdict.ACCEPTED, null, "applied");
        tracker.onDecided(outcome);
        tracker.onDecided(new ApplyOutcome("other", new Position(0, 1), Verdict.ACCEPTED, null, "applied"));

        assertFalse(forgotten.isDone());
        CompletableFuture<ApplyOutcome> again = tracker.expect("w1");  // forgetting freed the id
        tracker.onDecided(outcome);
        assertSame(outcome, again.getNow(null));
    }

    /** Waiters still registered for {@code partition}: the tracker's private state, read to prove cleanup. */
    private static int waiters(ApplyTracker tracker, int partition) {
        try {
            Field partitions = ApplyTracker.class.getDeclaredField("partitions");
            partitions.setAccessible(true);
            Object progress = ((Map<?, ?>) partitions.get(tracker)).get(partition);
            Field waiters = progress.getClass().getDeclaredField("waiters");
            waiters.setAccessible(true);
            synchronized (progress) {
                return ((Map<?, ?>) waiters.get(progress)).values().stream().mapToInt(l -> ((java.util.List<?>) l).size())
                        .sum();
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("ApplyTracker's internals changed; update this test", e);
        }
    }
}
