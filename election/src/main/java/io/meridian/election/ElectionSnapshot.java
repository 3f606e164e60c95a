package io.meridian.election;

import java.util.Objects;
import java.util.Optional;

/**
 * One consistent view of an elector for the admin endpoint ({@code GET /admin/election}): serializes to flat JSON.
 *
 * @param backend      {@code zookeeper} or {@code kafka}
 * @param state        the election state
 * @param epoch        the controller epoch of the term this node knows about, {@code -1} if none
 * @param hasQuorum    whether the node reaches its coordination service
 * @param leaderNodeId the leading node, {@code null} when no leader is known
 * @param leaderRegion its region, {@code null} when no leader is known
 * @param leaderUrl    its URL, {@code null} when no leader is known
 * @param self         this node
 * @param since        when the node entered {@code state}, ISO-8601 (from the elector's clock)
 */
public record ElectionSnapshot(
        String backend,
        ElectionState state,
        long epoch,
        boolean hasQuorum,
        String leaderNodeId,
        String leaderRegion,
        String leaderUrl,
        ElectionCandidate self,
        String since) {

    public ElectionSnapshot {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(since, "since");
    }

    public static ElectionSnapshot of(String backend, ElectionState state, long epoch, boolean hasQuorum,
                                      Optional<ElectionCandidate> leader, ElectionCandidate self, String since) {
        ElectionCandidate l = leader.orElse(null);
        return new ElectionSnapshot(backend, state, epoch, hasQuorum, l == null ? null : l.nodeId(),
                l == null ? null : l.region(), l == null ? null : l.url(), self, since);
    }

    /** Whether this node is the leader in this snapshot. */
    public boolean leading() {
        return state == ElectionState.LEADER;
    }
}
