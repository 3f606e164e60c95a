package io.meridian.migration.internal;

import io.meridian.election.failover.FailoverEvent;
import io.meridian.infra.model.MigrationEvent;
import java.util.List;

/**
 * What the failback duty reads during one controller term: the failover events of {@code meridian.controller} and
 * the failback events of {@code meridian.migrations}, from the beginning, then as they come. Writes go through the
 * controller's fenced producer, never here. Duties thread only.
 */
public interface FailbackLog extends AutoCloseable {

    /** What was read: failovers and failback events, each in its topic's order. */
    record Batch(List<FailoverEvent> failovers, List<MigrationEvent.Failback> failbacks) {
        public static final Batch EMPTY = new Batch(List.of(), List.of());
    }

    /**
     * Everything committed since the previous call; the first call reads both topics from the beginning to their
     * end.
     *
     * @throws IllegalStateException when the first read cannot finish in time
     */
    Batch read();

    @Override
    void close();
}
