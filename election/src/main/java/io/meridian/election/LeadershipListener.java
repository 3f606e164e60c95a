package io.meridian.election;

/**
 * Told about leadership changes of one {@link LeaderElector}.
 *
 * <p>Callbacks run on the elector's single named listener thread ({@code meridian-election-listener-<nodeId>}), one
 * at a time and in the order the changes happened, never while the elector holds a lock. They fire only on a real
 * change: {@link #onElected} when this node goes from not leading to leading, {@link #onDeposed} when it goes back,
 * so the two strictly alternate, starting with {@code onElected}. A callback that throws is logged and does not stop
 * other listeners or later callbacks. Keep callbacks short: a slow one delays every later notification.
 */
public interface LeadershipListener {

    /**
     * This node now leads. Every earlier term had a smaller epoch; stamp everything the controller writes with it.
     *
     * @param epoch the controller epoch of the new term
     */
    void onElected(long epoch);

    /**
     * This node no longer leads: stop controller duties at once.
     *
     * @param epoch  the epoch of the term that ended
     * @param reason why, for logs and operators (e.g. {@code closed}, {@code zookeeper connection SUSPENDED})
     */
    void onDeposed(long epoch, String reason);

    /**
     * The node gained or lost its coordination quorum (ZooKeeper, or the Kafka group coordinator). A node without
     * quorum must stop accepting writes. When a leader loses quorum, {@link #onDeposed} comes first.
     */
    default void onQuorumChange(boolean hasQuorum) {
    }
}
