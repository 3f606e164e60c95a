package io.meridian.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The client's one Jackson mapper (thread-safe once configured, as Jackson's are). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** {@code body} as JSON, or {@code null} when it is empty or not JSON. */
    public static JsonNode readOrNull(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code value} as JSON bytes ({@code value} itself when it is already a JSON node). */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the document cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
