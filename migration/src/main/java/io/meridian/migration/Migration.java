package io.meridian.migration;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import java.util.Objects;

/**
 * One migration as the event log says it is: folded from its {@link MigrationEvent}s in log order, so replaying the
 * log on a new controller rebuilds it exactly. Immutable; {@link #apply} returns the next version.
 *
 * @param pauseFence  WAL position of the pause fence, "" before the pause
 * @param pausedAt    when writes were paused, -1 before
 */
public record Migration(
        String id,
        String tenant,
        String fromRegion,
        String toRegion,
        MigrationState state,
        long timeoutMs,
        long requestedAt,
        long updatedAt,
        long placementEpoch,
        String pauseFence,
        long pausedAt,
        boolean cancelRequested,
        long remainingEntries,
        double entriesPerSecond,
        String reason) {

    public Migration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }

    /** The migration a {@link MigrationEvent.Requested} starts. */
    public static Migration requested(MigrationEvent.Requested event) {
        return new Migration(event.migrationId(), event.tenant(), event.fromRegion(), event.toRegion(),
                MigrationState.REQUESTED, event.timeoutMs(), event.timestamp(), event.timestamp(), 0, "", -1, false,
                -1, 0, "requested by " + event.requestedBy());
    }

    /**
     * Folds one more event in. A state change the state machine does not allow throws
     * {@link MigrationState.IllegalMigrationTransitionException}.
     */
    public Migration apply(MigrationEvent event) {
        if (!event.migrationId().equals(id)) {
            throw new IllegalArgumentException("event of migration " + event.migrationId() + " applied to " + id);
        }
        if (event instanceof MigrationEvent.StateChanged changed) {
            MigrationState next = state.transitionTo(changed.state());
            String fence = next == MigrationState.WRITES_PAUSED ? changed.fencePosition() : pauseFence;
            long paused = next == MigrationState.WRITES_PAUSED ? changed.timestamp() : pausedAt;
            return new Migration(id, tenant, fromRegion, toRegion, next, timeoutMs, requestedAt, changed.timestamp(),
                    changed.placementEpoch(), fence, paused, cancelRequested, remainingEntries, entriesPerSecond,
                    changed.reason());
        }
        if (event instanceof MigrationEvent.CancelRequested cancel) {
            return new Migration(id, tenant, fromRegion, toRegion, state, timeoutMs, requestedAt, cancel.timestamp(),
                    placementEpoch, pauseFence, pausedAt, true, remainingEntries, entriesPerSecond, reason);
        }
        if (event instanceof MigrationEvent.Progress progress) {
            return new Migration(id, tenant, fromRegion, toRegion, state, timeoutMs, requestedAt, progress.timestamp(),
                    placementEpoch, pauseFence, pausedAt, cancelRequested, progress.remainingEntries(),
                    progress.entriesPerSecond(), reason);
        }
        throw new IllegalArgumentException("migration " + id + " was already requested");
    }

    /** Whether the timeout has run out at {@code now}: it counts from the request. */
    public boolean timedOut(long now) {
        return !state.isTerminal() && state.canRollBack() && now - requestedAt > timeoutMs;
    }

    public boolean active() {
        return !state.isTerminal();
    }
}
