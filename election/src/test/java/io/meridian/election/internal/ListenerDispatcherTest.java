package io.meridian.election.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.LeadershipListener;
import io.meridian.election.testing.RecordingListener;
import io.meridian.election.testing.RecordingListener.Type;
import io.meridian.election.testing.Waits;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ListenerDispatcherTest {

    @Test
    void shouldIsolateAFailingListenerFromTheOthers() {
        ListenerDispatcher dispatcher = new ListenerDispatcher("n1");
        LeadershipListener failing = new LeadershipListener() {
            @Override
            public void onElected(long epoch) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onDeposed(long epoch, String reason) {
                throw new IllegalStateException("listener bug");
            }
        };
        RecordingListener recording = new RecordingListener();
        dispatcher.add(failing);
        dispatcher.add(recording);
        dispatcher.elected(1);
        dispatcher.deposed(1, "test");
        dispatcher.close(Duration.ofSeconds(5));
        assertEquals(2, recording.events().size(), recording.toString());
        recording.assertContract("meridian-election-listener-n1");
    }

    @Test
    void shouldDeliverInOrderOnOneNamedThread() {
        ListenerDispatcher dispatcher = new ListenerDispatcher("n2");
        RecordingListener recording = new RecordingListener();
        dispatcher.add(recording);
        dispatcher.add(recording);  // twice: still once
        for (int epoch = 1; epoch <= 100; epoch++) {
            dispatcher.elected(epoch);
            dispatcher.deposed(epoch, "r" + epoch);
        }
        dispatcher.close(Duration.ofSeconds(5));
        assertEquals(200, recording.events().size());
        recording.assertContract("meridian-election-listener-n2");
    }

    @Test
    void shouldNotReplayEarlierChangesToALaterListener() throws InterruptedException {
        ListenerDispatcher dispatcher = new ListenerDispatcher("n3");
        CountDownLatch blocked = new CountDownLatch(1);
        dispatcher.add(new LeadershipListener() {
            @Override
            public void onElected(long epoch) {
                try {
                    blocked.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onDeposed(long epoch, String reason) {
            }
        });
        dispatcher.elected(1);
        RecordingListener late = new RecordingListener();
        dispatcher.add(late);
        dispatcher.deposed(1, "x");
        blocked.countDown();
        Waits.within(Duration.ofSeconds(5)).until(() -> late.count(Type.DEPOSED) == 1);
        assertEquals(0, late.count(Type.ELECTED));
        dispatcher.close(Duration.ofSeconds(5));
    }

    @Test
    void shouldNotWaitForItselfWhenClosedFromAListener() {
        ListenerDispatcher dispatcher = new ListenerDispatcher("n4");
        CountDownLatch done = new CountDownLatch(1);
        dispatcher.add(new LeadershipListener() {
            @Override
            public void onElected(long epoch) {
                dispatcher.close(Duration.ofSeconds(30));
                done.countDown();
            }

            @Override
            public void onDeposed(long epoch, String reason) {
            }
        });
        dispatcher.elected(1);
        Waits.within(Duration.ofSeconds(2)).until(() -> done.getCount() == 0);
        assertTrue(true);
    }
}
