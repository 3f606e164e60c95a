package io.meridian.infra.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A JSON value kept as its compact text, the way {@link Json#MAPPER} writes it. A document travels from the WAL record
 * into the applier's store and out to a reader as this text: read by copying tokens, written as raw text, never built
 * into a tree (on the applier's hot path that tree, and writing it back out twice, was a sixth of the work per record).
 * {@link #tree()} parses it where a value must be looked into (merges, tests). Equal when the texts are equal, which
 * for the compact form means equal values with their fields in the same order. Immutable.
 */
@JsonSerialize(using = RawJson.Serializer.class)
@JsonDeserialize(using = RawJson.Deserializer.class)
public final class RawJson {
    /** The longest value taken as a slice: no string in it can be longer than the parser allows one to be. */
    private static final long MAX_SLICE = Json.MAPPER.getFactory().streamReadConstraints().getMaxStringLength();

    private final String text;

    private RawJson(String text) {
        this.text = text;
    }

    /** The compact text of {@code tree}. */
    public static RawJson of(JsonNode tree) {
        Objects.requireNonNull(tree, "tree");
        return new RawJson(Json.writeString(tree));
    }

    /** {@code json} parsed (it must be one JSON value) and written compactly. */
    public static RawJson parse(String json) {
        return of(Json.readTree(json.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The object or array the parser is at the start of, read from {@code source}, the bytes it parses; the parser is
     * left at its end. When the bytes are already compact (7-bit, no whitespace between tokens, no escapes, no
     * fractions or exponents, no {@code -0}), they are the text itself, taken as they are; otherwise the value is
     * copied token by token as the {@linkplain Deserializer deserializer} does. Either way the result is the one the
     * deserializer gives, and the parser has checked every token (syntax, duplicate keys).
     */
    public static RawJson readStructure(JsonParser parser, byte[] source) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        if (start < 0) {  // a parser of characters, not bytes: no slice to take
            return Deserializer.copy(parser);
        }
        parser.skipChildren();
        long end = parser.currentLocation().getByteOffset();
        // Skipping checks no string's length against the parser's limit; a copy does, so longer values are copied.
        if (end > source.length || end <= start || end - start > MAX_SLICE || !isCompact(source, (int) start,
                (int) end)) {
            try (JsonParser copy = Json.MAPPER.getFactory().createParser(source, (int) start, (int) (end - start))) {
                copy.nextToken();
                return Deserializer.copy(copy);
            }
        }
        return new RawJson(new String(source, (int) start, (int) (end - start), StandardCharsets.ISO_8859_1));
    }

    /**
     * Whether {@code bytes[start, end)}, one object or array that parsed, is written exactly as a copy through the
     * generator would write it: 7-bit characters only (so each byte is its character), and neither whitespace between
     * tokens, nor escapes in strings, nor numbers the generator writes differently (fractions, exponents, -0).
     */
    private static boolean isCompact(byte[] bytes, int start, int end) {
        if (bytes[start] != '{' && bytes[start] != '[' || bytes[end - 1] != '}' && bytes[end - 1] != ']') {
            return false;
        }
        boolean inString = false;
        for (int i = start; i < end; i++) {
            byte b = bytes[i];
            if (b < 0x20 || b == '\\') {  // a negative byte is not 7-bit
                return false;
            }
            if (b == '"') {
                inString = !inString;
            } else if (!inString && (b == ' ' || b == '.' || (b == 'e' || b == 'E') && isDigit(bytes[i - 1])
                    || b == '-' && bytes[i + 1] == '0')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** The compact JSON text. */
    public String text() {
        return text;
    }

    /** The value as a tree: parsed on every call. */
    public JsonNode tree() {
        return Json.readTree(text.getBytes(StandardCharsets.UTF_8));
    }

    public boolean isNull() {
        return "null".equals(text);
    }

    /** Whether the value is a JSON object (compact text of one starts with a brace). */
    public boolean isObject() {
        return text.startsWith("{");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawJson raw && raw.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    static final class Serializer extends StdSerializer<RawJson> {
        Serializer() {
            super(RawJson.class);
        }

        @Override
        public void serialize(RawJson value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeRawValue(value.text);
        }
    }

    /** Copies the value's tokens into compact text: the parser's checks (syntax, duplicate keys, depth) still apply. */
    static final class Deserializer extends StdDeserializer<RawJson> {
        Deserializer() {
            super(RawJson.class);
        }

        @Override
        public RawJson deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return copy(parser);
        }

        static RawJson copy(JsonParser parser) throws IOException {
            SegmentedStringWriter out = new SegmentedStringWriter(Json.MAPPER.getFactory()._getBufferRecycler());
            try (JsonGenerator copy = Json.MAPPER.getFactory().createGenerator(out)) {
                copy.copyCurrentStructure(parser);
            }
            return new RawJson(out.getAndClear());
        }

        @Override
        public RawJson getNullValue(DeserializationContext context) {
            return new RawJson("null");
        }
    }
}
