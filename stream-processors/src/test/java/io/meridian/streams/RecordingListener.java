package io.meridian.streams;

import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Position;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers every decision and applied position, and passes them on to {@code next} (e.g. a real ApplyTracker). */
final class RecordingListener implements ApplyListener {
    final List<ApplyOutcome> decisions = new CopyOnWriteArrayList<>();
    final List<Position> applied = new CopyOnWriteArrayList<>();
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    final List<SyncStatus> syncs = new CopyOnWriteArrayList<>();
    private final ApplyListener next;

    RecordingListener(ApplyListener next) {
        this.next = next;
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
        decisions.add(outcome);
        next.onDecided(outcome);
    }

    @Override
    public void onDeadLetter(DeadLetter letter) {
        deadLetters.add(letter);
        next.onDeadLetter(letter);
    }

    @Override
    public void onClock(long hlc) {
        next.onClock(hlc);
    }

    @Override
    public void onApplied(Position position) {
        applied.add(position);
        next.onApplied(position);
    }

    @Override
    public void onSync(SyncStatus status) {
        syncs.add(status);
        next.onSync(status);
    }

    @Override
    public void onPartitionOpened(int partition) {
        next.onPartitionOpened(partition);
    }

    @Override
    public void onPartitionClosed(int partition) {
        next.onPartitionClosed(partition);
    }
}
