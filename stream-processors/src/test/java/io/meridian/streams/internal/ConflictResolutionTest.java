package io.meridian.streams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.model.ConflictRecord.Resolution;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.streams.StoredDocument;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The conflict rules as a pure function: the same inputs give the same resolution in every region. */
class ConflictResolutionTest {

    private static RawJson json(String text) {
        return RawJson.parse(text);
    }

    private static JsonNode tree(String text) {
        return Json.readTree(text.getBytes(StandardCharsets.UTF_8));
    }

    private static WalRecord.Put put(String value, long hlc) {
        return new WalRecord.Put("acme", "k", json(value), 1, "us-east", hlc, "w");
    }

    private static StoredDocument current(String value, long hlc) {
        return new StoredDocument(json(value), "0:1", 2, hlc, "us-east");
    }

    @Test
    void shouldRejectWhateverTheTimestampsUnderReject() {
        ConflictResolution resolution = ConflictResolution.resolve(ConflictStrategy.REJECT, put("{}", 10),
                current("{}", 1));

        assertEquals(Resolution.REJECTED, resolution.resolution());
        assertFalse(resolution.applies());
        assertNull(resolution.value());
    }

    @Test
    void shouldLetTheStrictlyNewerHlcWinUnderLastWriterWins() {
        assertEquals(Resolution.APPLIED,
                ConflictResolution.resolve(ConflictStrategy.LWW, put("{\"v\":1}", 11), current("{}", 10)).resolution());
        assertEquals(Resolution.SUPERSEDED,
                ConflictResolution.resolve(ConflictStrategy.LWW, put("{\"v\":1}", 10), current("{}", 10)).resolution());
        assertEquals(Resolution.SUPERSEDED,
                ConflictResolution.resolve(ConflictStrategy.LWW, put("{\"v\":1}", 9), current("{}", 10)).resolution());
        ConflictResolution noCurrent = ConflictResolution.resolve(ConflictStrategy.LWW, put("{\"v\":1}", 1), null);
        assertEquals(Resolution.APPLIED, noCurrent.resolution());
        assertEquals(json("{\"v\":1}"), noCurrent.value());
        assertTrue(noCurrent.applies());
    }

    @Test
    void shouldMergeNestedObjectsRemoveNullsAndReplaceArraysAndScalars() {
        JsonNode merged = ConflictResolution.mergePatch(
                tree("{\"a\":1,\"list\":[1,2],\"obj\":{\"x\":1,\"deep\":{\"p\":1,\"q\":2}},\"s\":\"old\",\"n\":{\"k\":1}}"),
                tree("{\"list\":[3],\"obj\":{\"deep\":{\"q\":null,\"r\":3}},\"s\":{\"now\":\"object\"},\"n\":5,"
                        + "\"missing\":null}"));

        assertEquals(tree("{\"a\":1,\"list\":[3],\"obj\":{\"x\":1,\"deep\":{\"p\":1,\"r\":3}},"
                + "\"s\":{\"now\":\"object\"},\"n\":5}"), merged);
    }

    @Test
    void shouldReplaceWholeDocumentWhenPatchIsNotAnObject() {
        assertEquals(tree("[1,2]"), ConflictResolution.mergePatch(tree("{\"a\":1}"), tree("[1,2]")));
        assertEquals(tree("\"text\""), ConflictResolution.mergePatch(tree("{\"a\":1}"), tree("\"text\"")));
    }

    @Test
    void shouldNotModifyTheCurrentDocumentWhenMerging() {
        StoredDocument current = current("{\"a\":{\"b\":1}}", 1);

        ConflictResolution resolution = ConflictResolution.resolve(ConflictStrategy.MERGE, put("{\"a\":{\"c\":2}}", 2),
                current);

        assertEquals(json("{\"a\":{\"b\":1,\"c\":2}}"), resolution.value());
        assertEquals(json("{\"a\":{\"b\":1}}"), current.value(), "the stored value must not be mutated in place");
    }

    @Test
    void shouldStripNullMembersWhenMergingOntoMissingDocument() {
        ConflictResolution resolution = ConflictResolution.resolve(ConflictStrategy.MERGE,
                put("{\"a\":null,\"b\":{\"c\":null,\"d\":1}}", 1), null);

        assertEquals(Resolution.MERGED, resolution.resolution());
        assertEquals(json("{\"b\":{\"d\":1}}"), resolution.value());
    }

    @Test
    void shouldDeleteOnStaleDeleteUnderMerge() {
        ConflictResolution resolution = ConflictResolution.resolve(ConflictStrategy.MERGE,
                new WalRecord.Delete("acme", "k", 1, "us-east", 1, "w"), current("{\"a\":1}", 5));

        assertEquals(Resolution.MERGED, resolution.resolution());
        assertTrue(resolution.applies());
        assertNull(resolution.value(), "a null value deletes");
    }
}
