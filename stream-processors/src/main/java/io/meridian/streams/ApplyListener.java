package io.meridian.streams;

import io.meridian.infra.model.Position;

/**
 * Told by the region applier, on its stream thread, about every record it processed. Implementations must be quick
 * and thread-safe: they run on the applier's per-record path.
 */
public interface ApplyListener {

    /** A data record was decided on. */
    void onDecided(ApplyOutcome outcome);

    /** The applier has processed everything in {@code position.partition()} up to and including this offset. */
    void onApplied(Position position);

    ApplyListener NONE = new ApplyListener() {
        @Override
        public void onDecided(ApplyOutcome outcome) {
        }

        @Override
        public void onApplied(Position position) {
        }
    };
}
