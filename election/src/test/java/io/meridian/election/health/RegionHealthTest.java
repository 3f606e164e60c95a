package io.meridian.election.health;

import static io.meridian.election.health.RegionHealth.HEALTHY;
import static io.meridian.election.health.RegionHealth.SUSPECT;
import static io.meridian.election.health.RegionHealth.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RegionHealthTest {

    @Test
    void shouldAllowExactlyTheDocumentedTransitions() {
        assertEquals(Map.of(
                HEALTHY, EnumSet.of(SUSPECT),
                SUSPECT, EnumSet.of(HEALTHY, UNHEALTHY),
                UNHEALTHY, EnumSet.of(HEALTHY)), RegionHealth.ALLOWED_TRANSITIONS);
    }

    static Stream<Arguments> everyPair() {
        return Stream.of(RegionHealth.values())
                .flatMap(from -> Stream.of(RegionHealth.values()).map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("everyPair")
    void shouldPassEveryLegalTransitionAndRejectEveryIllegalOneListingValidTargets(RegionHealth from,
                                                                                  RegionHealth to) {
        if (RegionHealth.ALLOWED_TRANSITIONS.get(from).contains(to)) {
            assertTrue(from.canTransitionTo(to));
            assertSame(to, from.transitionTo(to));
        } else {
            assertFalse(from.canTransitionTo(to));
            var e = assertThrows(RegionHealth.IllegalTransitionException.class, () -> from.transitionTo(to));
            assertEquals(from, e.from());
            assertEquals(to, e.to());
            assertEquals(from.validTargets(), e.validTargets());
            for (RegionHealth valid : from.validTargets()) {
                assertTrue(e.getMessage().contains(valid.wireName()), e.getMessage());
            }
            assertTrue(e.getMessage().contains("valid targets from " + from.wireName()), e.getMessage());
        }
    }

    @Test
    void shouldWalkEveryLegalPath() {
        // down and back before it was declared unhealthy
        walk(HEALTHY, SUSPECT, HEALTHY);
        // down, declared unhealthy, recovered (directly, not via suspect)
        walk(HEALTHY, SUSPECT, UNHEALTHY, HEALTHY);
        // a region never heard from starts suspect: it comes up, or is declared unhealthy
        walk(SUSPECT, HEALTHY);
        walk(SUSPECT, UNHEALTHY, HEALTHY);
    }

    @Test
    void shouldNeverStayPutAsATransition() {
        for (RegionHealth state : RegionHealth.values()) {
            assertThrows(RegionHealth.IllegalTransitionException.class, () -> state.transitionTo(state));
        }
    }

    @Test
    void shouldReadAndWriteLowerCaseWireNamesAndListValidNamesOnError() {
        for (RegionHealth state : RegionHealth.values()) {
            assertSame(state, RegionHealth.fromWire(state.wireName()));
            assertEquals(state.name().toLowerCase(), state.wireName());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> RegionHealth.fromWire("dead"));
        assertTrue(e.getMessage().contains("healthy, suspect, unhealthy"), e.getMessage());
    }

    @Test
    void shouldNotLetTheTransitionTableBeModified() {
        assertThrows(UnsupportedOperationException.class, () -> HEALTHY.validTargets().add(UNHEALTHY));
        assertThrows(UnsupportedOperationException.class, () -> RegionHealth.ALLOWED_TRANSITIONS.remove(HEALTHY));
    }

    private static void walk(RegionHealth... path) {
        RegionHealth state = path[0];
        for (RegionHealth next : List.of(path).subList(1, path.length)) {
            state = state.transitionTo(next);
        }
        assertSame(path[path.length - 1], state);
    }
}
