package io.meridian.streams.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.WalRecord;
import io.meridian.streams.StoredDocument;
import java.util.Iterator;
import java.util.Map;

/**
 * How a stale-epoch data record is resolved. A pure function of the strategy, the record and the current document, so
 * every region resolves it the same way.
 *
 * @param value the document to write when {@link #applies()}: null deletes
 */
record ConflictResolution(Resolution resolution, JsonNode value, String reason) {

    boolean applies() {
        return resolution == Resolution.APPLIED || resolution == Resolution.MERGED;
    }

    static ConflictResolution resolve(ConflictStrategy strategy, WalRecord.DataRecord data, StoredDocument current) {
        JsonNode incoming = data instanceof WalRecord.Put put ? put.value() : null;
        return switch (strategy) {
            case REJECT -> new ConflictResolution(Resolution.REJECTED, null,
                    "written under epoch " + data.epoch() + ", before a placement change; strategy reject");
            case LWW -> current == null || data.hlc() > current.hlc()
                    ? new ConflictResolution(Resolution.APPLIED, incoming, "last writer wins: newest timestamp")
                    : new ConflictResolution(Resolution.SUPERSEDED, null,
                            "last writer wins: the current document is newer");
            case MERGE -> incoming == null || current == null
                    // RFC 7386: a patch onto a missing document is a patch onto {}, so its null members go too
                    ? new ConflictResolution(Resolution.MERGED, incoming == null ? null : mergePatch(null, incoming),
                            "merge: nothing to merge with")
                    : new ConflictResolution(Resolution.MERGED, mergePatch(current.value(), incoming),
                            "merge: JSON merge patch onto the current document");
        };
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
