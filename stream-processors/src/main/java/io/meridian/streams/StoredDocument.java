package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;

/**
 * A document as a region holds it: the value and where, under which epoch and by whom it was last written. The
 * applier's store and its changelog keep its stored form ({@link #toStored}), which the tenant digest is taken over.
 */
public record StoredDocument(
        @JsonProperty(value = "value", required = true) RawJson value,
        @JsonProperty(value = "position", required = true) String position,
        @JsonProperty(value = "epoch", required = true) long epoch,
        @JsonProperty(value = "hlc", required = true) long hlc,
        @JsonProperty(value = "region", required = true) String region) {
    /** The stored form: this document's compact JSON, as Meridian's one Jackson configuration writes it. */
    public byte[] toStored() {
        return Json.write(this);
    }

    /** Reads a {@link #toStored stored form} back. */
    public static StoredDocument fromStored(byte[] stored) {
        return Json.read(stored, StoredDocument.class);
    }
}
