package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.client.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The body of every error answer of the Meridian HTTP API ({@code router/API.md}, Errors):
 * {@code {"error":{"code":"...","message":"...", ...details}}}. {@code code} is stable (never renamed); the message
 * says what to do; the details depend on the code (e.g. {@code primary} and {@code epoch} of
 * {@code placement_changed}, {@code current} of {@code precondition_failed}). Immutable.
 *
 * @param details every other field of the error object, as JSON values
 */
public record ErrorBody(String code, String message, Map<String, JsonNode> details) {
    public ErrorBody {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The error in {@code body}, or empty when the body is not a Meridian error (empty, not JSON, another shape). */
    public static Optional<ErrorBody> parse(byte[] body) {
        JsonNode json = Json.readOrNull(body);
        JsonNode error = json == null ? null : json.get("error");
        if (error == null || !error.isObject() || !error.hasNonNull("code")) {
            return Optional.empty();
        }
        Map<String, JsonNode> details = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : error.properties()) {
            if (!field.getKey().equals("code") && !field.getKey().equals("message")) {
                details.put(field.getKey(), field.getValue());
            }
        }
        return Optional.of(new ErrorBody(error.get("code").asText(), error.path("message").asText(""), details));
    }

    /** A detail as text ({@code primary}, {@code current}, {@code position}...), when present and not null. */
    public Optional<String> detail(String name) {
        JsonNode value = details.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
