package io.meridian.migration.internal;

import io.meridian.election.controller.ControllerContext;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.Position;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationSettings;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How far a migration's target has drained: its applied offset in the tenant's WAL partition against the pause fence,
 * and a progress event every {@code progressInterval} while it drains. Duties thread only.
 */
final class DrainProgress {
    private final ControllerContext context;
    private final MigrationSettings settings;
    private final RateSampler rates;
    private final Map<String, Long> lastProgressAt = new HashMap<>();

    DrainProgress(ControllerContext context, MigrationSettings settings, RateSampler rates) {
        this.context = context;
        this.settings = settings;
        this.rates = rates;
    }

    /** The offset {@code region} applied up to in the fence's partition, -1 when it reported none. */
    long applied(String region, Position fence) {
        return context.health().region(region).map(s -> s.appliedOffset(fence.partition()).orElse(-1)).orElse(-1L);
    }

    /**
     * The progress event to write now, if one is due. The first comes one interval after the drain started (or this
     * controller took over).
     */
    Optional<MigrationEvent.Progress> report(Migration m, Position fence, long applied, long now) {
        Long last = lastProgressAt.putIfAbsent(m.id(), now);
        if (last == null || now - last < settings.progressInterval().toMillis()) {
            return Optional.empty();
        }
        lastProgressAt.put(m.id(), now);
        double rate = Math.max(0, rates.rate(RateSampler.applied(m.toRegion(), fence.partition())).orElse(0));
        return Optional.of(new MigrationEvent.Progress(m.id(), m.tenant(), m.pauseFence(), applied,
                fence.offset() - applied, rate, context.epoch(), now));
    }

    /** For a failure message: how far the target got, while the writes are paused. */
    String detail(Migration m) {
        if (m.state() != MigrationState.DRAINING && m.state() != MigrationState.WRITES_PAUSED) {
            return "";
        }
        Position fence = Position.parse(m.pauseFence());
        return " (" + m.toRegion() + " applied up to " + fence.partition() + ":" + applied(m.toRegion(), fence)
                + " of the pause fence " + fence + ")";
    }

    void forget(String migrationId) {
        lastProgressAt.remove(migrationId);
    }

    void clear() {
        lastProgressAt.clear();
    }
}
