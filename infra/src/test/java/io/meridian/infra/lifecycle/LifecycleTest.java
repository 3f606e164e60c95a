package io.meridian.infra.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.lifecycle.Lifecycle.State;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LifecycleTest {

    @Test
    void shouldWalkNewStartingRunningClosingClosed() {
        Lifecycle lifecycle = new Lifecycle("service");
        assertEquals(State.NEW, lifecycle.state());
        assertFalse(lifecycle.hasStarted());
        lifecycle.beginStart();
        assertEquals(State.STARTING, lifecycle.state());
        assertTrue(lifecycle.started());
        assertEquals(State.RUNNING, lifecycle.state());
        assertTrue(lifecycle.beginClose());
        assertEquals(State.CLOSING, lifecycle.state());
        assertTrue(lifecycle.isClosing());
        lifecycle.closed();
        assertEquals(State.CLOSED, lifecycle.state());
        assertTrue(lifecycle.hasStarted());
    }

    @Test
    void shouldFailASecondStartLoudly() {
        Lifecycle lifecycle = new Lifecycle("router server of region us-east");
        lifecycle.beginStart();
        IllegalStateException e = assertThrows(IllegalStateException.class, lifecycle::beginStart);
        assertEquals("router server of region us-east already started", e.getMessage());
    }

    @Test
    void shouldRefuseToStartAfterClose() {
        Lifecycle lifecycle = new Lifecycle("service");
        assertTrue(lifecycle.beginClose());
        lifecycle.closed();
        IllegalStateException e = assertThrows(IllegalStateException.class, lifecycle::beginStart);
        assertEquals("service is closed", e.getMessage());
        assertFalse(lifecycle.hasStarted());
    }

    @Test
    void shouldCloseOnceWhateverTheCalls() {
        Lifecycle lifecycle = new Lifecycle("service");
        lifecycle.beginStart();
        assertTrue(lifecycle.beginClose());
        assertFalse(lifecycle.beginClose());
        lifecycle.closed();
        assertFalse(lifecycle.beginClose());
        assertEquals(State.CLOSED, lifecycle.state());
    }

    @Test
    void shouldNotReachRunningWhenClosedWhileStarting() {
        Lifecycle lifecycle = new Lifecycle("service");
        lifecycle.beginStart();
        assertTrue(lifecycle.beginClose());
        assertFalse(lifecycle.started());
        assertEquals(State.CLOSING, lifecycle.state());
    }

    @Test
    @Timeout(30)
    void shouldLetExactlyOneOfConcurrentCallersStartAndOneClose() throws Exception {
        Lifecycle lifecycle = new Lifecycle("service");
        int callers = 8;
        AtomicInteger starts = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            Future<?>[] done = new Future<?>[callers];
            for (int i = 0; i < callers; i++) {
                done[i] = pool.submit(() -> {
                    go.await();
                    try {
                        lifecycle.beginStart();
                        starts.incrementAndGet();
                    } catch (IllegalStateException expected) {
                        // another caller started it
                    }
                    if (lifecycle.beginClose()) {
                        closes.incrementAndGet();
                    }
                    return null;
                });
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, starts.get());
        assertEquals(1, closes.get());
    }
}
