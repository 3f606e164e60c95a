package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import java.nio.charset.StandardCharsets;

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
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    /**
     * The stored form: this document's compact JSON, byte for byte as Meridian's one Jackson configuration writes it
     * ({@code Json.write}; {@code StoredDocumentTest}), put together directly: the value is compact JSON already and
     * the two strings are escaped as the generator escapes them. Through the mapper, and then through a generator of
     * its own, it was a tenth of the applier's stream thread (bench --only apply, JFR), once per applied write. Text
     * with surrogates goes through the mapper: it escapes them in strings, and refuses one that is not paired.
     */
    public byte[] toStored() {
        String text = value.text();
        if (hasSurrogate(text) || hasSurrogate(position) || hasSurrogate(region)) {
            return Json.write(this);
        }
        StringBuilder out = new StringBuilder(text.length() + position.length() + region.length() + 80)
                .append("{\"value\":").append(text).append(",\"position\":\"");
        ESCAPE.quoteAsString(position, out);
        out.append("\",\"epoch\":").append(epoch).append(",\"hlc\":").append(hlc).append(",\"region\":\"");
        ESCAPE.quoteAsString(region, out);
        return out.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean hasSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Reads a {@link #toStored stored form} back. */
    public static StoredDocument fromStored(byte[] stored) {
        return Json.read(stored, StoredDocument.class);
    }
}
