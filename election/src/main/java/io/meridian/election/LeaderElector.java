package io.meridian.election;

import java.util.List;
import java.util.Optional;

/**
 * Elects one controller among Meridian's nodes. Two backends stand behind it (see {@link LeaderElectors}):
 * {@code zookeeper} (a Curator {@code LeaderLatch}, epochs kept in ZooKeeper) and {@code kafka} (the Kafka group
 * coordinator decides; the best-ranked member leads).
 *
 * <p><b>Lifecycle.</b> {@link #start()} once (a compare-and-set: a second call throws), {@link #close()} any number of
 * times. Closing a leader gives leadership up at once (listeners get {@code onDeposed(epoch, "closed")} before
 * {@code close()} returns) so another node takes over within milliseconds (ZooKeeper) or one heartbeat interval
 * (Kafka), not after a session timeout.
 *
 * <p><b>Epochs.</b> Every leadership term has an epoch larger than every earlier term's. A leader learns its epoch
 * before {@link LeadershipListener#onElected} fires; followers learn the leader's epoch as they observe the term.
 *
 * <p><b>Safety.</b> An elector gives leadership up as soon as it cannot prove it still holds it (ZooKeeper connection
 * {@code SUSPENDED}, Kafka coordinator silent for about a session timeout), but a paused JVM can still act on stale
 * leadership for a moment: fence every controller write with {@link ControllerProducer}.
 *
 * <p><b>Thread-safety.</b> All methods are thread-safe and non-blocking except {@link #start()} and {@link #close()}.
 * Listener callbacks run on one named thread per elector, in order, outside any lock.
 */
public interface LeaderElector extends AutoCloseable {

    /**
     * Joins the election. Returns without waiting for an outcome.
     *
     * @throws IllegalStateException when already started or closed
     */
    void start();

    /** Whether this node leads now (in the term {@link #epoch()}). */
    boolean isLeader();

    /**
     * The controller epoch of the current leadership term as this node knows it, or of the last term it knew when
     * no leader is known now; {@code -1} if it never knew one. Never decreases.
     */
    long epoch();

    /** Who leads now, as far as this node knows: this node itself while {@link #isLeader()}. */
    Optional<ElectionCandidate> leader();

    ElectionState state();

    /** False while this node cannot reach ZooKeeper / the Kafka group coordinator (and before it first did). */
    boolean hasQuorum();

    /** {@code zookeeper} or {@code kafka}. */
    String backend();

    /** This node as it takes part in the election. */
    ElectionCandidate self();

    /**
     * The nodes taking part in the election, as far as this backend knows, sorted by node id: the ZooKeeper presence
     * nodes, or the members of the Kafka group as of the last rebalance. May be stale by a moment.
     */
    List<ElectionCandidate> liveNodes();

    /** One consistent view for the admin endpoint. */
    ElectionSnapshot snapshot();

    /**
     * Adds a listener for changes from now on (no replay of the current state: read {@link #isLeader()} after adding
     * it if you need to). Adding the same listener twice has no effect.
     */
    void addListener(LeadershipListener listener);

    void removeListener(LeadershipListener listener);

    /**
     * Leaves the election, giving leadership up at once. Idempotent; never throws for a failing backend (failures are
     * logged). Waits a bounded time for queued listener callbacks to run.
     */
    @Override
    void close();
}
