package io.meridian.election;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where one node stands in the controller election.
 *
 * <pre>
 *                 start()
 *   CREATED ─────────────────▶ CANDIDATE ◀──────────────────────────┐
 *      │                        │  ▲  │ ▲                            │
 *      │         leader known   │  │  │ │ term over / rebalance      │ quorum back
 *      │            ┌───────────┘  │  │ └─────────────┐              │
 *      │            ▼              │  │ elected       │              │
 *      │        FOLLOWER ──────────┘  └──────────▶ LEADER            │
 *      │            │ ▲   elected                    │  │            │
 *      │            │ └──────────────────────────────┘  │ deposed,   │
 *      │            │   deposed, other leader known     │ quorum lost│
 *      │            │ quorum lost                       ▼            │
 *      │            └─────────────────────────────▶ DISCONNECTED ────┘
 *      │   (CANDIDATE ─ quorum lost ─▶ DISCONNECTED as well)
 *      └───────────────── close() from any state ──────────▶ CLOSED
 * </pre>
 *
 * <ul>
 *   <li>{@code CREATED}: built, {@link LeaderElector#start()} not called yet.</li>
 *   <li>{@code CANDIDATE}: joining, or no leadership term known (the leader just left, a rebalance runs, or the
 *       leader is still claiming its epoch).</li>
 *   <li>{@code FOLLOWER}: another node leads; {@link LeaderElector#leader()} and {@link LeaderElector#epoch()} name
 *       it and its term.</li>
 *   <li>{@code LEADER}: this node leads, in the term {@link LeaderElector#epoch()}.</li>
 *   <li>{@code DISCONNECTED}: the node had, then lost, its coordination quorum (ZooKeeper session suspended or lost,
 *       Kafka group coordinator unreachable for longer than the session timeout). It does not lead.</li>
 *   <li>{@code CLOSED}: terminal.</li>
 * </ul>
 *
 * <p>Transitions are a pure function of (state, target): no clock, no ordinals, so a replayed event log yields the
 * same states. The elector records the time of each transition from its injected {@link java.time.Clock}.
 */
public enum ElectionState {
    CREATED,
    CANDIDATE,
    FOLLOWER,
    LEADER,
    DISCONNECTED,
    CLOSED;

    private static final Map<ElectionState, Set<ElectionState>> VALID_TARGETS = new EnumMap<>(ElectionState.class);

    static {
        VALID_TARGETS.put(CREATED, EnumSet.of(CANDIDATE, CLOSED));
        VALID_TARGETS.put(CANDIDATE, EnumSet.of(FOLLOWER, LEADER, DISCONNECTED, CLOSED));
        VALID_TARGETS.put(FOLLOWER, EnumSet.of(CANDIDATE, LEADER, DISCONNECTED, CLOSED));
        VALID_TARGETS.put(LEADER, EnumSet.of(CANDIDATE, FOLLOWER, DISCONNECTED, CLOSED));
        // Quorum regained: recheck first; leadership or a known leader follows from the next coordination event.
        VALID_TARGETS.put(DISCONNECTED, EnumSet.of(CANDIDATE, CLOSED));
        VALID_TARGETS.put(CLOSED, EnumSet.noneOf(ElectionState.class));
        for (ElectionState state : values()) {
            VALID_TARGETS.put(state, Collections.unmodifiableSet(VALID_TARGETS.get(state)));
        }
    }

    /** The states this one may move to (unmodifiable, possibly empty). */
    public Set<ElectionState> validTargets() {
        return VALID_TARGETS.get(this);
    }

    public boolean canTransitionTo(ElectionState target) {
        return VALID_TARGETS.get(this).contains(target);
    }

    /**
     * The one guard of this state machine.
     *
     * @return {@code target}
     * @throws IllegalStateException naming this state, the target and the valid targets, when the move is not allowed
     */
    public ElectionState transitionTo(ElectionState target) {
        if (!canTransitionTo(target)) {
            throw new IllegalStateException("illegal election state transition " + this + " -> " + target
                    + "; valid targets from " + this + ": " + validTargets());
        }
        return target;
    }

    public boolean isTerminal() {
        return validTargets().isEmpty();
    }
}
