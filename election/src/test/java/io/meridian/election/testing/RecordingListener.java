package io.meridian.election.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.LeadershipListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every callback with its thread and time; checks the listener contract. Thread-safe. */
public final class RecordingListener implements LeadershipListener {

    public enum Type { ELECTED, DEPOSED, QUORUM }

    public record Event(Type type, long epoch, String reason, boolean quorum, String thread, long nanos) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void onElected(long epoch) {
        events.add(new Event(Type.ELECTED, epoch, null, true, Thread.currentThread().getName(), System.nanoTime()));
    }

    @Override
    public void onDeposed(long epoch, String reason) {
        events.add(new Event(Type.DEPOSED, epoch, reason, false, Thread.currentThread().getName(), System.nanoTime()));
    }

    @Override
    public void onQuorumChange(boolean hasQuorum) {
        events.add(new Event(Type.QUORUM, -1, null, hasQuorum, Thread.currentThread().getName(), System.nanoTime()));
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public List<Event> leadership() {
        return events.stream().filter(e -> e.type() != Type.QUORUM).toList();
    }

    public List<Event> quorum() {
        return events.stream().filter(e -> e.type() == Type.QUORUM).toList();
    }

    public long count(Type type) {
        return events.stream().filter(e -> e.type() == type).count();
    }

    public Event last(Type type) {
        List<Event> of = events.stream().filter(e -> e.type() == type).toList();
        return of.isEmpty() ? null : of.get(of.size() - 1);
    }

    /**
     * The contract: elected/deposed strictly alternate starting with elected, each deposed names the epoch of the
     * elected before it, elected epochs strictly increase, quorum callbacks alternate too, and everything ran on
     * {@code expectedThread}.
     */
    public void assertContract(String expectedThread) {
        List<Event> leadership = leadership();
        long lastElected = Long.MIN_VALUE;
        for (int i = 0; i < leadership.size(); i++) {
            Event e = leadership.get(i);
            if (i % 2 == 0) {
                assertEquals(Type.ELECTED, e.type(), "event " + i + " of " + leadership);
                assertTrue(e.epoch() > lastElected, "elected epochs increase: " + leadership);
                lastElected = e.epoch();
            } else {
                assertEquals(Type.DEPOSED, e.type(), "event " + i + " of " + leadership);
                assertEquals(lastElected, e.epoch(), "deposed names its term: " + leadership);
            }
        }
        List<Event> quorum = quorum();
        for (int i = 1; i < quorum.size(); i++) {
            assertNotEquals(quorum.get(i - 1).quorum(), quorum.get(i).quorum(),
                    "quorum callbacks alternate: " + quorum);
        }
        for (Event e : events) {
            assertEquals(expectedThread, e.thread(), "callback thread of " + e);
        }
    }

    @Override
    public String toString() {
        return "RecordingListener" + events;
    }
}
