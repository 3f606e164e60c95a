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
    void shouldCompleteExpectedWriteWithTheApplierVerdictOnItsOwnRecord() throws Exception {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, tracker)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            ApplyTracker.PendingWrite accepted = tracker.expect(ACME, "w1");
            ApplyTracker.PendingWrite rejected = tracker.expect(ACME, "w2");
            accepted.produced(new Position(0, 1));
            rejected.produced(new Position(0, 2));
            assertFalse(accepted.verdict().isDone());

            applier.pipe(put(ACME, "k", "{}", 1, US_EAST, 1, "w1"));
            applier.pipe(put(ACME, "k", "{}", 1, "eu-west", 2, "w2"));

            ApplyOutcome acceptedOutcome = accepted.verdict().get(0, TimeUnit.SECONDS);
            assertEquals(Verdict.ACCEPTED, acceptedOutcome.verdict());
            assertEquals(new Position(0, 1), acceptedOutcome.position());
            assertSame(applier.listener.decisions.get(0), acceptedOutcome);
            assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, rejected.verdict().get(0, TimeUnit.SECONDS).verdict());
            assertEquals(0, tracker.inFlight(), "decided writes are forgotten");
        }
    }

    @Test
    void shouldFailWritesWaitingInAPartitionThatMovesAwayAndAcceptThemAgainOnceItIsBack() throws Exception {
        ApplyTracker.PendingWrite waiting;
        try (ApplierDriver applier = new ApplierDriver(US_EAST, tracker)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));
            waiting = tracker.expect(ACME, "w1");
            waiting.produced(new Position(0, 1));
            ApplyTracker.PendingWrite elsewhere = tracker.expect(ACME, "w2");
            elsewhere.produced(new Position(3, 1));
            assertFalse(tracker.isClosed(0));
            // The task of partition 0 closes (a rebalance moved it away): nothing here will decide its records.
        }
        ExecutionException moved = assertThrows(ExecutionException.class,
                () -> waiting.verdict().get(5, TimeUnit.SECONDS));
        assertInstanceOf(PartitionMovedException.class, moved.getCause());
        assertEquals(new Position(0, 1), ((PartitionMovedException) moved.getCause()).position());
        assertTrue(tracker.isClosed(0));
        assertEquals(1, tracker.inFlight(), "a write waiting in another partition still waits");

        // Routed here on stale metadata after the move: fails as soon as it knows its partition.
        ApplyTracker.PendingWrite late = tracker.expect(ACME, "w3");
        assertFalse(late.verdict().isDone());
        late.produced(new Position(0, 2));
        assertInstanceOf(PartitionMovedException.class, assertThrows(ExecutionException.class,
                () -> late.verdict().get(5, TimeUnit.SECONDS)).getCause());

        // The partition comes back to this node: its writes wait for their verdicts again.
        tracker.onPartitionOpened(0);
        ApplyTracker.PendingWrite back = tracker.expect(ACME, "w4");
        back.produced(new Position(0, 3));
        assertFalse(back.verdict().isDone());
        tracker.onDecided(new ApplyOutcome(ACME, "w4", new Position(0, 3), Verdict.ACCEPTED, null, "applied"));
        assertEquals(Verdict.ACCEPTED, back.verdict().get(0, TimeUnit.SECONDS).verdict());
    }

    @Test
    void shouldMatchAVerdictThatArrivesBeforeTheProducerAcknowledgement() throws Exception {
        ApplyTracker.PendingWrite write = tracker.expect(ACME, "w1");
        ApplyOutcome outcome = new ApplyOutcome(ACME, "w1", new Position(3, 7), Verdict.ACCEPTED, null, "applied");

        tracker.onDecided(outcome);
        assertFalse(write.verdict().isDone(), "not before the write knows its own record");
        write.produced(new Position(3, 7));

        assertSame(outcome, write.verdict().get(0, TimeUnit.SECONDS));
    }

    @Test
    void shouldNotCompleteAWriteOfOneTenantWithTheVerdictOnAnotherTenantsRecordWithTheSameKey() throws Exception {
        ApplyTracker.PendingWrite a = tracker.expect("ta", "shared-key");
        ApplyTracker.PendingWrite b = tracker.expect("tb", "shared-key");  // once refused as "in progress"
        a.produced(new Position(0, 10));
        b.produced(new Position(5, 11));

        tracker.onDecided(new ApplyOutcome("tb", "shared-key", new Position(5, 11), Verdict.ACCEPTED, null, "ok"));
        assertFalse(a.verdict().isDone(), "tb's verdict must not answer ta's write");
        tracker.onDecided(new ApplyOutcome("ta", "shared-key", new Position(0, 10), Verdict.REJECTED_STALE_EPOCH,
                null, "stale"));

        assertEquals(Verdict.ACCEPTED, b.verdict().get(0, TimeUnit.SECONDS).verdict());
        assertEquals(Verdict.REJECTED_STALE_EPOCH, a.verdict().get(0, TimeUnit.SECONDS).verdict());
    }

    @Test
    void shouldNotAnswerARetryWithTheVerdictOnTheEarlierAttempt() throws Exception {
        ApplyTracker.PendingWrite retry = tracker.expect(ACME, "w1");
        // The first attempt's record (offset 4) was rejected by a fence; the retry's record is at offset 9.
        tracker.onDecided(new ApplyOutcome(ACME, "w1", new Position(0, 4), Verdict.REJECTED_STALE_EPOCH, null, "old"));
        retry.produced(new Position(0, 9));
        tracker.onDecided(new ApplyOutcome(ACME, "w1", new Position(0, 4), Verdict.REJECTED_STALE_EPOCH, null, "old"));
        assertFalse(retry.verdict().isDone());

        tracker.onDecided(new ApplyOutcome(ACME, "w1", new Position(0, 9), Verdict.ACCEPTED, null, "applied"));

        assertEquals(Verdict.ACCEPTED, retry.verdict().get(0, TimeUnit.SECONDS).verdict());
    }

    @Test
    void shouldIgnoreVerdictsAfterCancelAndForgetTheWrite() {
        ApplyTracker.PendingWrite cancelled = tracker.expect(ACME, "w1");
        cancelled.produced(new Position(0, 0));
        cancelled.cancel();

        tracker.onDecided(new ApplyOutcome(ACME, "w1", new Position(0, 0), Verdict.ACCEPTED, null, "applied"));

        assertTrue(cancelled.verdict().isCancelled());
        assertEquals(0, tracker.inFlight());
    }

    @Test
    void shouldMeasureHowLongAgoKafkaAcknowledgedTheOldestRecordTheApplierHasNotRead() throws Exception {
        tracker.onPartitionOpened(0);
        ApplyTracker.PendingWrite first = tracker.expect(ACME, "w1");
        ApplyTracker.PendingWrite second = tracker.expect(ACME, "w2");
        assertEquals(Duration.ZERO, tracker.applierDelay(0), "not acknowledged by Kafka yet: not the applier's delay");
        first.produced(new Position(0, 5));
        Thread.sleep(40);
        second.produced(new Position(0, 6));

        Duration bothUnread = tracker.applierDelay(0);
        assertTrue(bothUnread.toMillis() >= 40, bothUnread.toString());
        assertEquals(Duration.ZERO, tracker.applierDelay(1));
        assertTrue(tracker.maxApplierDelay().compareTo(bothUnread) >= 0);

        // Read, though not decided yet (a record held while its tenant syncs): the applier is past it.
        tracker.onApplied(new Position(0, 5));
        Duration secondUnread = tracker.applierDelay(0);
        assertTrue(secondUnread.compareTo(bothUnread) < 0, secondUnread + " vs " + bothUnread);
        tracker.onApplied(new Position(0, 6));
        assertEquals(Duration.ZERO, tracker.applierDelay(0));
        assertEquals(Duration.ZERO, tracker.maxApplierDelay());
    }

    @Test
    void shouldCountARecordWhoseWriteGaveUpUntilTheApplierReadsIt() throws Exception {
        tracker.onPartitionOpened(0);
        ApplyTracker.PendingWrite timedOut = tracker.expect(ACME, "w1");
        timedOut.produced(new Position(0, 5));
        timedOut.cancel();
        // Acknowledged only after its write gave up: the record is in the WAL all the same.
        ApplyTracker.PendingWrite late = tracker.expect(ACME, "w2");
        late.cancel();
        late.produced(new Position(0, 6));
        Thread.sleep(5);

        assertTrue(tracker.applierDelay(0).toNanos() > 0, "a stuck applier stays behind when its writes time out");
        tracker.onApplied(new Position(0, 5));
        assertTrue(tracker.applierDelay(0).toNanos() > 0, "the late one is still unread");
        tracker.onApplied(new Position(0, 6));
        assertEquals(Duration.ZERO, tracker.applierDelay(0));
    }

    @Test
    void shouldNotCountRecordsOfAPartitionThisNodeDoesNotRead() throws Exception {
        tracker.onPartitionOpened(1);
        ApplyTracker.PendingWrite moving = tracker.expect(ACME, "w1");
        moving.produced(new Position(1, 7));
        ApplyTracker.PendingWrite elsewhere = tracker.expect(ACME, "w2");
        elsewhere.produced(new Position(2, 3));  // partition 2 was never opened here
        Thread.sleep(5);
        assertTrue(tracker.applierDelay(1).toNanos() > 0);

        tracker.onPartitionClosed(1);

        assertEquals(Duration.ZERO, tracker.applierDelay(1), "another node reads it now");
        assertEquals(Duration.ZERO, tracker.applierDelay(2));
        assertInstanceOf(PartitionMovedException.class,
                assertThrows(ExecutionException.class, () -> moving.verdict().get(0, TimeUnit.SECONDS)).getCause());
        tracker.onPartitionOpened(1);
        assertEquals(Duration.ZERO, tracker.applierDelay(1), "nothing carried over from before it moved");
    }

    @Test
    void shouldKeepTheOldestUnreadRecordsOnlyUpToABound() throws Exception {
        tracker.onPartitionOpened(0);
        int writes = 20_000;
        for (int i = 0; i < writes; i++) {
            ApplyTracker.PendingWrite write = tracker.expect(ACME, "w" + i);
            write.produced(new Position(0, i));
            write.cancel();  // a stuck applier: every write times out, its record stays unread
        }
        Thread.sleep(5);
        assertTrue(tracker.applierDelay(0).toNanos() > 0);
        assertEquals(16_384, unread(tracker, 0), "the oldest are kept, newer ones are not");

        tracker.onApplied(new Position(0, 16_383));

        assertEquals(Duration.ZERO, tracker.applierDelay(0), "an underestimate, never a refusal that cannot end");
    }

    @Test
    void shouldNotCountAWriteDecidedBeforeKafkaAcknowledgedIt() {
        tracker.onPartitionOpened(0);
        ApplyTracker.PendingWrite write = tracker.expect(ACME, "w1");
        tracker.onDecided(new ApplyOutcome(ACME, "w1", new Position(0, 3), Verdict.ACCEPTED, null, "applied"));

        write.produced(new Position(0, 3));

        assertTrue(write.verdict().isDone());
        assertEquals(Duration.ZERO, tracker.applierDelay(0), "its record was read before the acknowledgement came");
    }

    /** Unread records kept for {@code partition}: the tracker's private state, read to prove its bound. */
    private static int unread(ApplyTracker tracker, int partition) {
        return progressMap(tracker, partition, "unread", Map::size);
    }

    /** Waiters still registered for {@code partition}: the tracker's private state, read to prove cleanup. */
    private static int waiters(ApplyTracker tracker, int partition) {
        return progressMap(tracker, partition, "waiters",
                map -> map.values().stream().mapToInt(l -> ((java.util.List<?>) l).size()).sum());
    }

    /** {@code measure} of the map in field {@code field} of {@code partition}'s progress, read under its lock. */
    private static int progressMap(ApplyTracker tracker, int partition, String field,
                                   java.util.function.ToIntFunction<Map<?, ?>> measure) {
        try {
            Field partitions = ApplyTracker.class.getDeclaredField("partitions");
            partitions.setAccessible(true);
            Object progress = ((Map<?, ?>) partitions.get(tracker)).get(partition);
            Field map = progress.getClass().getDeclaredField(field);
            map.setAccessible(true);
            synchronized (progress) {
                return measure.applyAsInt((Map<?, ?>) map.get(progress));
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("ApplyTracker's internals changed; update this test", e);
        }
    }
}
