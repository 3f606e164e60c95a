package io.meridian.migration;

import static io.meridian.infra.model.MigrationState.CANCELLED;
import static io.meridian.infra.model.MigrationState.COMPLETED;
import static io.meridian.infra.model.MigrationState.DRAINING;
import static io.meridian.infra.model.MigrationState.FAILED;
import static io.meridian.infra.model.MigrationState.REQUESTED;
import static io.meridian.infra.model.MigrationState.SWITCHED;
import static io.meridian.infra.model.MigrationState.VALIDATED;
import static io.meridian.infra.model.MigrationState.WRITES_PAUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.model.MigrationState.IllegalMigrationTransitionException;
import io.meridian.infra.serde.Json;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationStateMachineTest {
    private static final Set<List<MigrationState>> LEGAL_PATHS = Set.of(
            List.of(REQUESTED, VALIDATED, WRITES_PAUSED, DRAINING, SWITCHED, COMPLETED),
            List.of(REQUESTED, FAILED), List.of(REQUESTED, CANCELLED),
            List.of(REQUESTED, VALIDATED, FAILED), List.of(REQUESTED, VALIDATED, CANCELLED),
            List.of(REQUESTED, VALIDATED, WRITES_PAUSED, FAILED), List.of(REQUESTED, VALIDATED, WRITES_PAUSED, CANCELLED),
            List.of(REQUESTED, VALIDATED, WRITES_PAUSED, DRAINING, FAILED),
            List.of(REQUESTED, VALIDATED, WRITES_PAUSED, DRAINING, CANCELLED));

    @Test
    void shouldWalkEveryLegalPathToAFinalState() {
        List<List<MigrationState>> walked = new ArrayList<>();
        walk(new ArrayList<>(List.of(REQUESTED)), walked);
        assertEquals(LEGAL_PATHS, Set.copyOf(walked));
        for (List<MigrationState> path : walked) {
            Migration migration = Migration.requested(requested());
            for (MigrationState next : path.subList(1, path.size())) {
                migration = migration.apply(changed(next));
            }
            assertTrue(migration.state().isTerminal(), path.toString());
            assertFalse(migration.active());
        }
    }

    private static void walk(List<MigrationState> path, List<List<MigrationState>> out) {
        MigrationState last = path.get(path.size() - 1);
        if (last.isTerminal()) {
            out.add(List.copyOf(path));
            return;
        }
        for (MigrationState next : last.validTargets()) {
            path.add(last.transitionTo(next));
            walk(path, out);
            path.remove(path.size() - 1);
        }
    }

    @Test
    void everyIllegalTransitionThrowsListingTheValidTargets() {
        int illegal = 0;
        for (MigrationState from : MigrationState.values()) {
            EnumSet<MigrationState> invalid = EnumSet.allOf(MigrationState.class);
            invalid.removeAll(from.validTargets());
            for (MigrationState to : invalid) {
                var e = assertThrows(IllegalMigrationTransitionException.class, () -> from.transitionTo(to));
                assertTrue(e.getMessage().contains(from.wireName() + " to " + to.wireName()), e.getMessage());
                illegal++;
            }
        }
        assertEquals(8 * 8 - 3 - 3 - 3 - 3 - 1, illegal);
        assertEquals("a migration cannot go from switched to failed; valid: completed",
                assertThrows(IllegalMigrationTransitionException.class, () -> SWITCHED.transitionTo(FAILED)).getMessage());
    }

    @Test
    void onlyStatesBeforeTheSwitchCanRollBack() {
        assertTrue(DRAINING.canRollBack());
        assertFalse(SWITCHED.canRollBack());
        assertFalse(COMPLETED.canRollBack());
    }

    @Test
    void replayRecordsThePauseFenceProgressAndCancel() {
        Migration m = Migration.requested(requested())
                .apply(changed(VALIDATED))
                .apply(new MigrationEvent.StateChanged("m1", "acme", WRITES_PAUSED, 5, "3:120", 2, "paused", 1_500))
                .apply(new MigrationEvent.Progress("m1", "acme", "3:120", 100, 20, 400.0, 2, 1_600))
                .apply(new MigrationEvent.CancelRequested("m1", "acme", "ops", 1_700));
        assertEquals("3:120", m.pauseFence());
        assertEquals(1_500, m.pausedAt());
        assertEquals(20, m.remainingEntries());
        assertTrue(m.cancelRequested());
        assertEquals(WRITES_PAUSED, m.state());
    }

    @Test
    void timesOutOnlyBeforeTheSwitch() {
        Migration m = Migration.requested(requested()).apply(changed(VALIDATED));
        assertFalse(m.timedOut(1_000 + 30_000));
        assertTrue(m.timedOut(1_000 + 30_001));
        Migration switched = m.apply(changed(WRITES_PAUSED)).apply(changed(DRAINING)).apply(changed(SWITCHED));
        assertFalse(switched.timedOut(1_000_000));
    }

    @Test
    void eventsRoundTripThroughJson() {
        MigrationEvent event = new MigrationEvent.StateChanged("m1", "acme", DRAINING, 5, "3:120", 2, "draining", 9);
        assertEquals(event, Json.read(Json.write(event), MigrationEvent.class));
        assertTrue(new String(Json.write(event)).contains("\"type\":\"state_changed\""));
        assertTrue(new String(Json.write(event)).contains("\"state\":\"draining\""));
    }

    private static MigrationEvent.Requested requested() {
        return new MigrationEvent.Requested("m1", "acme", "us-east", "eu-west", 30_000, "node-1", 1_000);
    }

    private static MigrationEvent.StateChanged changed(MigrationState state) {
        return new MigrationEvent.StateChanged("m1", "acme", state, 2, "", 1, state.wireName(), 1_100);
    }
}
