package io.meridian.election;

import static io.meridian.election.ElectionState.CANDIDATE;
import static io.meridian.election.ElectionState.CLOSED;
import static io.meridian.election.ElectionState.CREATED;
import static io.meridian.election.ElectionState.DISCONNECTED;
import static io.meridian.election.ElectionState.FOLLOWER;
import static io.meridian.election.ElectionState.LEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ElectionStateTest {

    /** The table as the diagram draws it; a change to either must change this test. */
    private static final Map<ElectionState, Set<ElectionState>> EXPECTED = Map.of(
            CREATED, EnumSet.of(CANDIDATE, CLOSED),
            CANDIDATE, EnumSet.of(FOLLOWER, LEADER, DISCONNECTED, CLOSED),
            FOLLOWER, EnumSet.of(CANDIDATE, LEADER, DISCONNECTED, CLOSED),
            LEADER, EnumSet.of(CANDIDATE, FOLLOWER, DISCONNECTED, CLOSED),
            DISCONNECTED, EnumSet.of(CANDIDATE, CLOSED),
            CLOSED, EnumSet.noneOf(ElectionState.class));

    @Test
    void shouldDeclareExactlyTheDiagramsTransitions() {
        for (ElectionState state : ElectionState.values()) {
            assertEquals(EXPECTED.get(state), state.validTargets(), "targets of " + state);
        }
    }

    @Test
    void shouldAllowEveryLegalTransition() {
        int checked = 0;
        for (ElectionState from : ElectionState.values()) {
            for (ElectionState to : from.validTargets()) {
                assertTrue(from.canTransitionTo(to));
                assertSame(to, from.transitionTo(to));
                checked++;
            }
        }
        assertEquals(16, checked);
    }

    @Test
    void shouldRejectEveryIllegalTransitionListingTheValidTargets() {
        int checked = 0;
        for (ElectionState from : ElectionState.values()) {
            for (ElectionState to : ElectionState.values()) {
                if (from.validTargets().contains(to)) {
                    continue;
                }
                assertFalse(from.canTransitionTo(to));
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> from.transitionTo(to));
                assertTrue(e.getMessage().contains(from + " -> " + to), e.getMessage());
                assertTrue(e.getMessage().contains("valid targets from " + from + ": " + from.validTargets()),
                        e.getMessage());
                checked++;
            }
        }
        assertEquals(6 * 6 - 16, checked);
    }

    @Test
    void shouldWalkEverySimplePathFromCreatedToClosed() {
        List<List<ElectionState>> paths = new ArrayList<>();
        walk(new LinkedHashSet<>(List.of(CREATED)), paths);
        for (List<ElectionState> path : paths) {
            ElectionState state = path.get(0);
            for (ElectionState next : path.subList(1, path.size())) {
                state = state.transitionTo(next);
            }
            assertSame(CLOSED, state, "path " + path);
        }
        assertTrue(paths.contains(List.of(CREATED, CLOSED)));
        assertTrue(paths.contains(List.of(CREATED, CANDIDATE, LEADER, DISCONNECTED, CLOSED)));
        assertTrue(paths.contains(List.of(CREATED, CANDIDATE, FOLLOWER, LEADER, CLOSED)));
        assertTrue(paths.size() > 10, "paths " + paths);
    }

    @Test
    void shouldMakeOnlyClosedTerminal() {
        for (ElectionState state : ElectionState.values()) {
            assertEquals(state == CLOSED, state.isTerminal(), state.name());
        }
    }

    private static void walk(LinkedHashSet<ElectionState> path, List<List<ElectionState>> out) {
        ElectionState last = new ArrayList<>(path).get(path.size() - 1);
        if (last == CLOSED) {
            out.add(List.copyOf(path));
            return;
        }
        for (ElectionState next : last.validTargets()) {
            if (path.add(next)) {
                walk(path, out);
                path.remove(next);
            }
        }
    }
}
