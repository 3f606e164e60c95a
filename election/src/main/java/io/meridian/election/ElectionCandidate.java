package io.meridian.election;

import io.meridian.infra.model.Names;
import io.meridian.infra.serde.Json;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node taking part in the controller election: who it is, where it runs, where operators and other nodes reach it,
 * and its configured priority (a tie-break after the applied WAL position on the {@code kafka} backend).
 *
 * <p>Its JSON form (see {@link #toJson()}) is what the backends store: the ZooKeeper latch participant id, the
 * presence node {@code /meridian/nodes/<nodeId>}, and the Kafka group member's subscription data. Immutable.
 *
 * @param nodeId   unique in the cluster; 1-128 characters {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit
 *                 (it names a znode)
 * @param region   the region the node serves
 * @param url      the base URL the node is reached at (may be empty when unknown)
 * @param priority higher wins when applied positions are equal
 */
public record ElectionCandidate(String nodeId, String region, String url, int priority) {
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ElectionCandidate {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("invalid node id '" + nodeId
                    + "': use 1-128 characters A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        Names.requireRegion(region);
        Objects.requireNonNull(url, "url");
    }

    /** Compact JSON, e.g. {@code {"nodeId":"us-east-1","region":"us-east","url":"http://...","priority":0}}. */
    public String toJson() {
        return Json.writeString(this);
    }

    /**
     * Parses {@link #toJson()} output.
     *
     * @throws Json.JsonFormatException when the bytes are not a valid candidate
     */
    public static ElectionCandidate fromJson(byte[] json) {
        return Json.read(json, ElectionCandidate.class);
    }

    /** Whether {@code other} is the same node (same {@link #nodeId()}). */
    public boolean sameNode(ElectionCandidate other) {
        return other != null && nodeId.equals(other.nodeId);
    }
}
