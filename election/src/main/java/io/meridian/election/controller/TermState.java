package io.meridian.election.controller;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a node's controller term is.
 *
 * <pre>
 *   STANDBY ──elected──▶ OPENING ──opened──▶ ACTIVE
 *      ▲                  │   ▲                │
 *      │          failed  │   │ backoff,       │ writer broke, or
 *      │                  ▼   │ still leads    │ fenced by a zombie
 *      │                REOPENING ◀────────────┘
 *      └──deposed── (OPENING, ACTIVE, REOPENING)
 *   every state ──node closes──▶ CLOSED
 * </pre>
 *
 * OPENING: the term's writer is being opened (fencing earlier controllers) and the committed placements read.
 * REOPENING: a term that still leads lost its writer and opens a new one after a backoff.
 */
public enum TermState {
    STANDBY,
    OPENING,
    ACTIVE,
    REOPENING,
    CLOSED;

    private static final Map<TermState, Set<TermState>> ALLOWED = new EnumMap<>(TermState.class);

    static {
        ALLOWED.put(STANDBY, EnumSet.of(OPENING, CLOSED));
        ALLOWED.put(OPENING, EnumSet.of(ACTIVE, REOPENING, STANDBY, CLOSED));
        ALLOWED.put(ACTIVE, EnumSet.of(REOPENING, STANDBY, CLOSED));
        ALLOWED.put(REOPENING, EnumSet.of(OPENING, STANDBY, CLOSED));
        ALLOWED.put(CLOSED, EnumSet.noneOf(TermState.class));
    }

    /** The states this one may move to. */
    public Set<TermState> validTargets() {
        return ALLOWED.get(this);
    }

    /**
     * @throws IllegalStateException naming the valid targets when {@code next} is not one
     */
    TermState transitionTo(TermState next) {
        if (!ALLOWED.get(this).contains(next)) {
            throw new IllegalStateException("controller term cannot go from " + this + " to " + next
                    + "; valid: " + ALLOWED.get(this));
        }
        return next;
    }
}
