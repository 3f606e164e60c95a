package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The life of a tenant migration.
 * <pre>
 *   requested ─▶ validated ─▶ writes_paused ─▶ draining ─▶ switched ─▶ completed
 *       │            │              │              │
 *       └────────────┴──────────────┴──────────────┴─▶ failed | cancelled   (placement rolled back)
 * </pre>
 * Pause and switch are each one Kafka transaction (placement + fence + event). After {@code switched} the tenant has
 * its new primary: a migration there can only complete, never roll back.
 */
public enum MigrationState {
    REQUESTED("requested"),
    VALIDATED("validated"),
    WRITES_PAUSED("writes_paused"),
    DRAINING("draining"),
    SWITCHED("switched"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private static final Map<MigrationState, Set<MigrationState>> TRANSITIONS = new EnumMap<>(MigrationState.class);

    static {
        TRANSITIONS.put(REQUESTED, EnumSet.of(VALIDATED, FAILED, CANCELLED));
        TRANSITIONS.put(VALIDATED, EnumSet.of(WRITES_PAUSED, FAILED, CANCELLED));
        TRANSITIONS.put(WRITES_PAUSED, EnumSet.of(DRAINING, FAILED, CANCELLED));
        TRANSITIONS.put(DRAINING, EnumSet.of(SWITCHED, FAILED, CANCELLED));
        TRANSITIONS.put(SWITCHED, EnumSet.of(COMPLETED));
        TRANSITIONS.put(COMPLETED, EnumSet.noneOf(MigrationState.class));
        TRANSITIONS.put(FAILED, EnumSet.noneOf(MigrationState.class));
        TRANSITIONS.put(CANCELLED, EnumSet.noneOf(MigrationState.class));
    }

    private final String wireName;

    MigrationState(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static MigrationState fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + value + "' is not a migration state; expected one of: "
                        + Arrays.stream(values()).map(MigrationState::wireName).collect(Collectors.joining(", "))));
    }

    public Set<MigrationState> validTargets() {
        return Collections.unmodifiableSet(TRANSITIONS.get(this));
    }

    public boolean isTerminal() {
        return TRANSITIONS.get(this).isEmpty();
    }

    /** Whether the placement may still be rolled back (the primary has not switched). */
    public boolean canRollBack() {
        return TRANSITIONS.get(this).contains(FAILED);
    }

    /** The one guard: returns {@code next} when legal, else throws naming the valid targets. */
    public MigrationState transitionTo(MigrationState next) {
        if (!TRANSITIONS.get(this).contains(next)) {
            throw new IllegalMigrationTransitionException(this, next);
        }
        return next;
    }

    /** A transition the state machine does not allow. */
    public static final class IllegalMigrationTransitionException extends IllegalStateException {
        public IllegalMigrationTransitionException(MigrationState from, MigrationState to) {
            super("a migration cannot go from " + from.wireName + " to " + to.wireName + "; valid: "
                    + (from.validTargets().isEmpty() ? "none (" + from.wireName + " is final)"
                    : from.validTargets().stream().map(MigrationState::wireName).collect(Collectors.joining(", "))));
        }
    }
}
