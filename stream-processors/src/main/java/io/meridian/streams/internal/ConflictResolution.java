package io.meridian.streams.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.RawJson;
import io.meridian.streams.StoredDocument;
import java.util.Iterator;
import java.util.Map;

/**
 * How a stale-epoch data record is resolved ({@link #resolve}), and a multi-primary write conflict
 * ({@link #resolveWrite}). A pure function of the strategy, the record and the current document, so
 * every region resolves it the same way.
 *
 * @param value the document to write when {@link #applies()}: null deletes
 */
record ConflictResolution(Resolution resolution, RawJson value, String reason) {

    boolean applies() {
        return resolution == Resolution.APPLIED || resolution == Resolution.MERGED;
    }

    static ConflictResolution resolve(ConflictStrategy strategy, WalRecord.DataRecord data, StoredDocument current) {
        RawJson incoming = data instanceof WalRecord.Put put ? put.value() : null;
        return switch (strategy) {
            case REJECT -> new ConflictResolution(Resolution.REJECTED, null,
                    "written under epoch " + data.epoch() + ", before a placement change; strategy reject");
            case LWW -> current == null || data.hlc() > current.hlc()
                    ? new ConflictResolution(Resolution.APPLIED, incoming, "last writer wins: newest timestamp")
                    : new ConflictResolution(Resolution.SUPERSEDED, null,
                            "last writer wins: the current document is newer");
            case MERGE -> incoming == null || current == null
                    // RFC 7386: a patch onto a missing document is a patch onto {}, so its null members go too
                    ? new ConflictResolution(Resolution.MERGED,
                            incoming == null ? null : RawJson.of(mergePatch(null, incoming.tree())),
                            "merge: nothing to merge with")
                    : new ConflictResolution(Resolution.MERGED,
                            RawJson.of(mergePatch(current.value().tree(), incoming.tree())),
                            "merge: JSON merge patch onto the current document");
        };
    }

    /**
     * How a multi-primary write conflict is resolved: the incoming record was based on a version that another region
     * has since replaced. A pure function of the strategy, the record and the current document (null when deleted).
     *
     * @param value        the document to write when {@link #applies()}: null deletes
     * @param hlc          the timestamp the written document carries (for a merge the newer of the two)
     * @param incomingLost whether the incoming write's value does not survive (rejected, or older under lww)
     */
    record WriteResolution(Resolution resolution, RawJson value, long hlc, boolean incomingLost, String reason) {
        boolean applies() {
            return resolution == Resolution.APPLIED || resolution == Resolution.MERGED;
        }
    }

    /**
     * {@code reject}: the incoming write is refused. {@code lww}: the later of the two by hybrid-logical-clock
     * timestamp wins, ties going to the greater region name. {@code merge}: two objects merge field by field (a
     * field on one side only is kept, a field on both is merged the same way), anything else (arrays, scalars, null,
     * a deletion, objects against non-objects) is decided by lww. A deleted current document left no timestamp: the
     * incoming write wins over it.
     */
    static WriteResolution resolveWrite(ConflictStrategy strategy, WalRecord.DataRecord data, StoredDocument current) {
        RawJson incoming = data instanceof WalRecord.Put put ? put.value() : null;
        boolean incomingNewer = current == null || newer(data.hlc(), data.region(), current.hlc(), current.region());
        return switch (strategy) {
            case REJECT -> new WriteResolution(Resolution.REJECTED, null, data.hlc(), true,
                    "another region wrote the document since the version this write was based on; strategy reject");
            case LWW -> incomingNewer
                    ? new WriteResolution(Resolution.APPLIED, incoming, data.hlc(), false,
                            "last writer wins: this write has the newest timestamp")
                    : new WriteResolution(Resolution.SUPERSEDED, null, current.hlc(), true,
                            "last writer wins: the current document (from " + current.region() + ") is newer");
            case MERGE -> {
                if (current == null || incoming == null || !incoming.isObject() || !current.value().isObject()) {
                    yield incomingNewer
                            ? new WriteResolution(Resolution.APPLIED, incoming, data.hlc(), false,
                                    "merge: not two objects, and this write is the newest")
                            : new WriteResolution(Resolution.SUPERSEDED, null, current.hlc(), true,
                                    "merge: not two objects, and the current document is newer");
                }
                yield new WriteResolution(Resolution.MERGED,
                        RawJson.of(mergeObjects(current.value().tree(), incoming.tree(), !incomingNewer)),
                        Math.max(current.hlc(), data.hlc()), false,
                        "merge: objects merged per field, other values by last writer wins");
            }
        };
    }

    /** Whether (hlc, region) is later than (otherHlc, otherRegion): timestamps first, region names break ties. */
    static boolean newer(long hlc, String region, long otherHlc, String otherRegion) {
        return hlc != otherHlc ? hlc > otherHlc : region.compareTo(otherRegion) > 0;
    }

    /**
     * Merges two values whose conflicts go to {@code left} when {@code leftWins}, else to {@code right}: objects
     * field by field (a field on one side only is kept), anything else whole. Symmetric: swapping the sides and the
     * flag gives the same result.
     */
    static JsonNode mergeObjects(JsonNode left, JsonNode right, boolean leftWins) {
        if (!left.isObject() || !right.isObject()) {
            return (leftWins ? left : right).deepCopy();
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = left.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode other = right.get(field.getKey());
            result.set(field.getKey(), other == null ? field.getValue().deepCopy()
                    : mergeObjects(field.getValue(), other, leftWins));
        }
        Iterator<Map.Entry<String, JsonNode>> rightFields = right.fields();
        while (rightFields.hasNext()) {
            Map.Entry<String, JsonNode> field = rightFields.next();
            if (!left.has(field.getKey())) {
                result.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return result;
    }

    /** RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }
}
