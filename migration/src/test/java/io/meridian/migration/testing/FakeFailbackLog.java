package io.meridian.migration.testing;

import io.meridian.election.failover.FailoverEvent;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.migration.internal.FailbackLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The failover events a test adds, and the failback events of a {@link FakeControllerContext}'s migration log, each
 * delivered once per instance, as a Kafka consumer would (our own writes included).
 */
public final class FakeFailbackLog implements FailbackLog {
    private final List<FailoverEvent> failovers;
    private final FakeControllerContext context;
    private int failoversRead;
    private int eventsRead;

    /** @param failovers shared with the test, which may add to it */
    public FakeFailbackLog(List<FailoverEvent> failovers, FakeControllerContext context) {
        this.failovers = failovers;
        this.context = context;
    }

    public static List<FailoverEvent> failovers() {
        return new CopyOnWriteArrayList<>();
    }

    @Override
    public Batch read() {
        List<FailoverEvent> newFailovers = new ArrayList<>(failovers.subList(failoversRead, failovers.size()));
        failoversRead = failovers.size();
        List<MigrationEvent> log = List.copyOf(context.log);
        List<MigrationEvent.Failback> failbacks = new ArrayList<>();
        for (MigrationEvent event : log.subList(eventsRead, log.size())) {
            if (event instanceof MigrationEvent.Failback f) {
                failbacks.add(f);
            }
        }
        eventsRead = log.size();
        return new Batch(newFailovers, failbacks);
    }

    @Override
    public void close() {
    }
}
