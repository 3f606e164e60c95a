package io.meridian.election.controller;

import io.meridian.election.ControllerTransaction;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.HealthView;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/** What duties see of one controller term: its committed placements, its publisher, health, the duties thread. */
final class TermContext implements ControllerContext {
    private final PlacementPublisher term;
    private final HealthView health;
    private final ToIntFunction<String> walPartition;
    private final Consumer<Runnable> runSoon;

    /** @param runSoon runs a task on the duties thread, if the term is still the current one by then */
    TermContext(PlacementPublisher term, HealthView health, ToIntFunction<String> walPartition,
                Consumer<Runnable> runSoon) {
        this.term = term;
        this.health = health;
        this.walPartition = walPartition;
        this.runSoon = runSoon;
    }

    @Override
    public long epoch() {
        return term.epoch();
    }

    @Override
    public List<Placement> placements() {
        return term.placements();
    }

    @Override
    public Optional<Placement> placement(String tenant) {
        return term.placement(tenant);
    }

    @Override
    public HealthSnapshot health() {
        return health.snapshot();
    }

    @Override
    public int walPartition(String tenant) {
        return walPartition.applyAsInt(tenant);
    }

    @Override
    public Position publishPlacement(Placement placement, String reason,
                                     Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
        return term.publish(placement, reason, alsoWrite);
    }

    @Override
    public List<Position> publishPlacements(List<Placement> placements, String reason,
                                            Function<List<Position>, Consumer<ControllerTransaction>> alsoWrite) {
        return term.publishAll(placements, reason, alsoWrite);
    }

    @Override
    public void inTransaction(Consumer<ControllerTransaction> body) {
        term.inTransaction(body);
    }

    @Override
    public void runSoon(Runnable task) {
        runSoon.accept(task);
    }
}
