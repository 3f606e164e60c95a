package io.meridian.infra.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one Jackson configuration of Meridian: strict on the way in (unknown fields, missing or null required fields,
 * trailing tokens and duplicate keys are errors), compact on the way out. Thread-safe.
 *
 * <p>A record field is required when its {@code @JsonProperty} says {@code required = true}. A field added later is
 * optional so that records already in the topics stay readable: it carries {@code @JsonSetter(nulls = Nulls.AS_EMPTY)}
 * and reads as its type's empty value when absent; any other absent or null field is an error.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    /**
     * A reader and a writer per type, made once: {@code MAPPER.readValue(bytes, type)} looks the type and its
     * deserializer up on every call, a tenth of the applier's WAL parse (bench --only apply, JFR).
     */
    private static final ClassValue<ObjectReader> READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return MAPPER.readerFor(type);
        }
    };
    private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return MAPPER.writerFor(type);
        }
    };

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return WRITERS.get(value.getClass()).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return WRITERS.get(value.getClass()).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads {@code bytes} as a {@code type}; throws {@link JsonFormatException} saying what is wrong. */
    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            T value = READERS.get(type).readValue(bytes);
            if (value == null) {  // Jackson reads the literal null as a null object, not as an error
                throw new JsonFormatException("invalid " + type.getSimpleName() + " JSON: null is not a "
                        + type.getSimpleName());
            }
            return value;
        } catch (IOException e) {
            throw JsonFormatException.of(type, e);
        }
    }

    /** Reads any JSON value; throws {@link JsonFormatException} for malformed input. */
    public static JsonNode readTree(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new JsonFormatException("empty body: expected a JSON value");
            }
            return node;
        } catch (IOException e) {
            throw JsonFormatException.of(JsonNode.class, e);
        }
    }

    public static JsonNode toTree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Unchecked: {@link UncheckedIOException} is wrong here because the input, not I/O, is at fault. */
    public static final class JsonFormatException extends IllegalArgumentException {
        public JsonFormatException(String message) {
            super(message);
        }

        JsonFormatException(String message, Throwable cause) {
            super(message, cause);
        }

        static JsonFormatException of(Class<?> type, IOException e) {
            String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            // Validation in record constructors surfaces as the cause; its message is the useful one.
            Throwable root = e.getCause();
            if (root instanceof IllegalArgumentException || root instanceof NullPointerException) {
                detail = root.getMessage() + (root instanceof NullPointerException ? " is required" : "");
            }
            return new JsonFormatException("invalid " + type.getSimpleName() + " JSON: " + detail, e);
        }
    }
}
