package io.meridian.infra.lifecycle;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lifecycle of a service that is started once and closed any number of times (Curator's {@code LeaderLatch}):
 * <pre>
 *   NEW ──start──▶ STARTING ──started──▶ RUNNING
 *    │                │                     │
 *    └─────close──────┴───────close─────────┴──▶ CLOSING ──closed──▶ CLOSED
 * </pre>
 * Every transition is a compare-and-set: of concurrent callers exactly one starts and exactly one closes. A second
 * {@link #beginStart} throws (also after a close); a second {@link #beginClose} answers {@code false}, so the owner
 * returns at once. Thread-safe.
 */
public final class Lifecycle {

    /** Where a service is in its life. Compared by name, never by ordinal. */
    public enum State { NEW, STARTING, RUNNING, CLOSING, CLOSED }

    private final String name;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile boolean startBegun;

    /** @param name what the service is, for error messages ("router server of region us-east") */
    public Lifecycle(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * NEW → STARTING.
     *
     * @throws IllegalStateException when already started, or closed
     */
    public void beginStart() {
        if (!state.compareAndSet(State.NEW, State.STARTING)) {
            State current = state.get();
            throw new IllegalStateException(name + (current == State.CLOSING || current == State.CLOSED
                    ? " is closed" : " already started"));
        }
        startBegun = true;
    }

    /** STARTING → RUNNING; {@code false} when a close came first (the owner's close releases what started). */
    public boolean started() {
        return state.compareAndSet(State.STARTING, State.RUNNING);
    }

    /**
     * NEW, STARTING or RUNNING → CLOSING.
     *
     * @return {@code true} for the one call that must release the service's resources (then call {@link #closed});
     *         {@code false} when closing or closed already
     */
    public boolean beginClose() {
        while (true) {
            State current = state.get();
            if (current == State.CLOSING || current == State.CLOSED) {
                return false;
            }
            if (state.compareAndSet(current, State.CLOSING)) {
                return true;
            }
        }
    }

    /** CLOSING → CLOSED: everything is released. */
    public void closed() {
        state.compareAndSet(State.CLOSING, State.CLOSED);
    }

    public State state() {
        return state.get();
    }

    /** Whether {@link #beginStart} ever succeeded (also true once closed after that). */
    public boolean hasStarted() {
        return startBegun || state.get() == State.STARTING || state.get() == State.RUNNING;
    }

    /** CLOSING or CLOSED. */
    public boolean isClosing() {
        State current = state.get();
        return current == State.CLOSING || current == State.CLOSED;
    }

    @Override
    public String toString() {
        return name + " " + state.get();
    }
}
