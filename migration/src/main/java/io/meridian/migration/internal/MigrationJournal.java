package io.meridian.migration.internal;

import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControllerContext;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.Topics;
import io.meridian.migration.Migration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations' writes during one controller term: each is one controller transaction (a placement with its fence
 * and events, or events alone) whose events are folded into the {@link MigrationBook} only after the commit, so the
 * book is always what the log says. A transaction that failed marks the journal stale: the run rebuilds the book
 * from the log before going on, which also settles a commit whose outcome was unknown. Duties thread only.
 */
final class MigrationJournal {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationJournal.class);

    private final ControllerContext context;
    private final MigrationBook book;
    private final MigrationMetrics metrics;
    private final Consumer<Migration> onEnded;
    private boolean stale;

    /** @param onEnded told when a migration stops being active */
    MigrationJournal(ControllerContext context, MigrationBook book, MigrationMetrics metrics,
                     Consumer<Migration> onEnded) {
        this.context = context;
        this.book = book;
        this.metrics = metrics;
        this.onEnded = onEnded;
    }

    /** Whether a write failed since the book was last rebuilt. */
    boolean stale() {
        return stale;
    }

    /** The book was rebuilt from the log. */
    void rebuilt() {
        stale = false;
    }

    /** {@code placement}, its fence and the events (which may name the fence's position), in one transaction. */
    void publish(Placement placement, String reason, Function<Position, List<MigrationEvent>> events) {
        List<MigrationEvent> sent = new ArrayList<>();
        try {
            context.publishPlacement(placement, reason, fence -> tx -> {
                sent.clear();
                for (MigrationEvent event : events.apply(fence)) {
                    tx.send(Topics.MIGRATIONS, placement.tenant(), event);
                    sent.add(event);
                }
            });
        } catch (ControllerWriteException e) {
            stale = true;
            throw e;
        }
        sent.forEach(this::recorded);
    }

    /** Events of {@code tenant}'s migrations, in one transaction. */
    void append(String tenant, List<MigrationEvent> events) {
        try {
            context.inTransaction(tx -> events.forEach(event -> tx.send(Topics.MIGRATIONS, tenant, event)));
        } catch (ControllerWriteException e) {
            stale = true;
            throw e;
        }
        events.forEach(this::recorded);
    }

    MigrationEvent.StateChanged changed(Migration m, MigrationState state, long placementEpoch, String fence,
                                        String reason, long now) {
        return new MigrationEvent.StateChanged(m.id(), m.tenant(), state, placementEpoch, fence, context.epoch(),
                reason, now);
    }

    private void recorded(MigrationEvent event) {
        Migration before = book.get(event.migrationId()).orElse(null);
        Migration after = book.record(event);
        log(event, after);
        if (before != null && before.active() && !after.active()) {
            metrics.ended(before, after);
            onEnded.accept(after);
        }
    }

    private void log(MigrationEvent event, Migration after) {
        if (event instanceof MigrationEvent.StateChanged changed) {
            LOG.info("migration {} tenant={} migration={} placementEpoch={} controllerEpoch={} fence={} reason={}",
                    changed.state().wireName(), after.tenant(), after.id(), changed.placementEpoch(),
                    changed.controllerEpoch(), changed.fencePosition(), changed.reason());
        } else if (event instanceof MigrationEvent.Progress p) {
            LOG.info("migration draining tenant={} migration={} placementEpoch={} controllerEpoch={} fence={}"
                            + " targetApplied={} remaining={} rate={}/s", after.tenant(), after.id(),
                    after.placementEpoch(), p.controllerEpoch(), p.fencePosition(), p.targetAppliedOffset(),
                    p.remainingEntries(), String.format("%.1f", p.entriesPerSecond()));
        } else if (event instanceof MigrationEvent.Requested r) {
            LOG.info("migration requested tenant={} migration={} from={} to={} by={} timeoutMs={} controllerEpoch={}",
                    r.tenant(), r.migrationId(), r.fromRegion(), r.toRegion(), r.requestedBy(), r.timeoutMs(),
                    context.epoch());
        } else if (event instanceof MigrationEvent.CancelRequested c) {
            LOG.info("migration cancel requested tenant={} migration={} state={} by={} controllerEpoch={}",
                    c.tenant(), c.migrationId(), after.state().wireName(), c.requestedBy(), context.epoch());
        }
    }
}
