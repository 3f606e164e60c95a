package io.meridian.election.internal;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.ElectionState;
import io.meridian.election.LeaderElector;
import io.meridian.election.LeadershipListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both backends share: the lifecycle (start once, close idempotently), the {@link ElectionState} machine, and
 * exact listener semantics. A backend reports what its coordination service tells it through four methods —
 * {@link #becomeLeader}, {@link #stepDown}, {@link #observeLeader}, {@link #quorumChanged} — which change the state
 * under one lock and enqueue listener callbacks only when something really changed ({@code onElected} and
 * {@code onDeposed} strictly alternate). Callbacks run later on the {@link ListenerDispatcher} thread, outside the lock.
 *
 * <p>Thread-safe: backends may call the four methods from any thread.
 */
public abstract class AbstractLeaderElector implements LeaderElector {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractLeaderElector.class);
    /** How long {@link #close()} lets queued listener callbacks (e.g. the final onDeposed) run. */
    static final Duration LISTENER_DRAIN = Duration.ofSeconds(5);

    protected final ElectionCandidate self;
    protected final Clock clock;
    private final String backend;
    private final ListenerDispatcher dispatcher;

    private final Object lock = new Object();
    // Guarded by lock.
    private ElectionState state = ElectionState.CREATED;
    private Instant stateSince;
    private boolean leading;
    private long epoch = -1;
    private ElectionCandidate leader;
    private boolean quorum;
    private boolean everHadQuorum;

    protected AbstractLeaderElector(String backend, ElectionCandidate self, Clock clock) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.self = Objects.requireNonNull(self, "self");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dispatcher = new ListenerDispatcher(self.nodeId());
        this.stateSince = clock.instant();
    }

    /** Starts the backend; called once, after the state moved to CANDIDATE. May throw: the elector is then closed. */
    protected abstract void doStart();

    /**
     * Stops the backend; called once, after leadership was given up locally and the state is CLOSED. Must release
     * the backend's leadership at once (delete the latch node, leave the group) and never throw.
     */
    protected abstract void doClose();

    @Override
    public final void start() {
        synchronized (lock) {
            if (state != ElectionState.CREATED) {
                throw new IllegalStateException("elector of node " + self.nodeId() + " cannot start: it is " + state
                        + (state == ElectionState.CLOSED ? "" : " (already started)"));
            }
            transition(ElectionState.CANDIDATE);
        }
        LOG.info("election starting backend={} node={} region={}", backend, self.nodeId(), self.region());
        try {
            doStart();
        } catch (RuntimeException e) {
            LOG.error("election failed to start backend={} node={}", backend, self.nodeId(), e);
            close();
            throw e;
        }
    }

    @Override
    public final void close() {
        synchronized (lock) {
            if (state == ElectionState.CLOSED) {
                return;
            }
            // Step down locally first: from here on this node must not act as leader, whatever the backend does.
            if (leading) {
                leading = false;
                leader = null;
                LOG.info("deposed backend={} node={} epoch={} reason=closed", backend, self.nodeId(), epoch);
                dispatcher.deposed(epoch, "closed");
            }
            transition(ElectionState.CLOSED);
        }
        try {
            doClose();
        } catch (RuntimeException e) {
            LOG.warn("election backend={} node={} did not close cleanly", backend, self.nodeId(), e);
        } finally {
            dispatcher.close(LISTENER_DRAIN);
        }
        LOG.info("election closed backend={} node={}", backend, self.nodeId());
    }

    /**
     * This node won a term. Also proves the coordination service is reachable, so quorum becomes true.
     *
     * @return whether leadership started (false when closed or already leading)
     */
    protected final boolean becomeLeader(long newEpoch) {
        synchronized (lock) {
            if (state == ElectionState.CLOSED || leading) {
                return false;
            }
            if (newEpoch <= epoch) {
                // Cannot happen with a consistent coordination service; lead anyway (liveness) but make it loud.
                LOG.error("controller epoch went backwards backend={} node={} epoch={} previous={}", backend,
                        self.nodeId(), newEpoch, epoch);
            }
            setQuorum(true);
            leading = true;
            epoch = newEpoch;
            leader = self;
            recompute();
            LOG.info("elected backend={} node={} epoch={}", backend, self.nodeId(), newEpoch);
            dispatcher.elected(newEpoch);
            return true;
        }
    }

    /**
     * This node's term is over.
     *
     * @return whether it was leading (false: nothing changed, no callback)
     */
    protected final boolean stepDown(String reason) {
        synchronized (lock) {
            return stepDownLocked(reason);
        }
    }

    /**
     * What this node sees when it does not lead: the current leader and its term's epoch, or no leader
     * ({@code null}) while none is established. A leader seeing another node's newer term steps down.
     */
    protected final void observeLeader(ElectionCandidate currentLeader, long termEpoch) {
        synchronized (lock) {
            if (state == ElectionState.CLOSED) {
                return;
            }
            if (leading) {
                if (currentLeader != null && !self.sameNode(currentLeader) && termEpoch > epoch) {
                    stepDownLocked("superseded by node " + currentLeader.nodeId() + " in epoch " + termEpoch);
                } else {
                    return;
                }
            }
            if (!quorum && currentLeader != null) {
                // Without quorum, what the cache says about the leader may be stale; keep it unknown.
                currentLeader = null;
            }
            leader = currentLeader != null && self.sameNode(currentLeader) ? null : currentLeader;
            if (termEpoch > epoch) {
                epoch = termEpoch;
            }
            recompute();
        }
    }

    /** The coordination quorum came or went. Losing it deposes a leader (onDeposed first, then onQuorumChange). */
    protected final void quorumChanged(boolean hasQuorum, String reason) {
        synchronized (lock) {
            if (state == ElectionState.CLOSED || hasQuorum == quorum) {
                return;
            }
            if (!hasQuorum) {
                stepDownLocked(reason);
                leader = null;
            }
            setQuorum(hasQuorum);
            LOG.info("quorum {} backend={} node={} epoch={} reason={}", hasQuorum ? "gained" : "lost", backend,
                    self.nodeId(), epoch, reason);
            recompute();
        }
    }

    protected final boolean isClosed() {
        synchronized (lock) {
            return state == ElectionState.CLOSED;
        }
    }

    private boolean stepDownLocked(String reason) {
        if (!leading) {
            return false;
        }
        leading = false;
        leader = null;
        recompute();
        LOG.info("deposed backend={} node={} epoch={} reason={}", backend, self.nodeId(), epoch, reason);
        dispatcher.deposed(epoch, reason);
        return true;
    }

    private void setQuorum(boolean hasQuorum) {
        if (quorum == hasQuorum) {
            return;
        }
        quorum = hasQuorum;
        everHadQuorum |= hasQuorum;
        dispatcher.quorumChanged(hasQuorum);
    }

    /** Derives the state from the facts; moves through CANDIDATE where the table demands it. */
    private void recompute() {
        ElectionState target;
        if (state == ElectionState.CLOSED || state == ElectionState.CREATED) {
            return;
        } else if (!quorum && everHadQuorum) {
            target = ElectionState.DISCONNECTED;
        } else if (leading) {
            target = ElectionState.LEADER;
        } else if (leader != null) {
            target = ElectionState.FOLLOWER;
        } else {
            target = ElectionState.CANDIDATE;
        }
        if (target == state) {
            return;
        }
        if (!state.canTransitionTo(target) && state.canTransitionTo(ElectionState.CANDIDATE)) {
            transition(ElectionState.CANDIDATE);
        }
        transition(target);
    }

    private void transition(ElectionState target) {
        ElectionState from = state;
        state = from.transitionTo(target);
        stateSince = clock.instant();
        LOG.info("election state {} -> {} backend={} node={} epoch={} leader={}", from, target, backend,
                self.nodeId(), epoch, leader == null ? "-" : leader.nodeId());
    }

    @Override
    public final boolean isLeader() {
        synchronized (lock) {
            return leading;
        }
    }

    @Override
    public final long epoch() {
        synchronized (lock) {
            return epoch;
        }
    }

    @Override
    public final Optional<ElectionCandidate> leader() {
        synchronized (lock) {
            return Optional.ofNullable(leader);
        }
    }

    @Override
    public final ElectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public final boolean hasQuorum() {
        synchronized (lock) {
            return quorum;
        }
    }

    @Override
    public final String backend() {
        return backend;
    }

    @Override
    public final ElectionCandidate self() {
        return self;
    }

    @Override
    public final ElectionSnapshot snapshot() {
        synchronized (lock) {
            return ElectionSnapshot.of(backend, state, epoch, quorum, Optional.ofNullable(leader), self,
                    stateSince.toString());
        }
    }

    @Override
    public final void addListener(LeadershipListener listener) {
        dispatcher.add(listener);
    }

    @Override
    public final void removeListener(LeadershipListener listener) {
        dispatcher.remove(listener);
    }

    /** The name of the listener thread ({@code meridian-election-listener-<nodeId>}). */
    public final String listenerThreadName() {
        return dispatcher.threadName();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return getClass().getSimpleName() + "{node=" + self.nodeId() + ", state=" + state + ", epoch=" + epoch
                    + ", leader=" + (leader == null ? "-" : leader.nodeId()) + ", quorum=" + quorum + "}";
        }
    }
}
