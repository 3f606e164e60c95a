package io.meridian.infra.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    private final List<String> closed = new ArrayList<>();
    private final Resources resources = new Resources("test");

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    /** The shape of a service's start: open in order; when a step fails, close what was opened and rethrow. */
    private void start(Runnable failingStep) {
        try {
            resources.add(named("registry"));
            resources.add(named("streams"));
            failingStep.run();
            resources.add(named("router"));
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    @Test
    void shouldCloseWhatAStartOpenedWhenALaterStepFails() {
        IllegalStateException failure = new IllegalStateException("heartbeats cannot start");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> start(() -> {
            throw failure;
        }));
        assertSame(failure, thrown);
        assertEquals(List.of("streams", "registry"), closed);
    }

    @Test
    void shouldCloseNewestFirstAndGoOnPastAFailure() {
        resources.add(named("first"));
        resources.add(() -> {
            throw new IllegalStateException("cannot close");
        });
        resources.add(named("last"));
        resources.close();
        assertEquals(List.of("last", "first"), closed);
    }

    @Test
    void shouldCloseEachResourceOnce() {
        resources.add(named("only"));
        resources.close();
        resources.close();
        assertEquals(List.of("only"), closed);
    }

    @Test
    void shouldKeepTheInterruptOfAResourceThatWasInterrupted() {
        resources.add(() -> {
            throw new InterruptedException("interrupted while closing");
        });
        try {
            resources.close();
            assertEquals(true, Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
