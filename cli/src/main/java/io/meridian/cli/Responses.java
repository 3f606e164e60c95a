package io.meridian.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.infra.serde.Json;

/**
 * Reads a node's answers into the response types the node writes them with ({@code io.meridian.infra.api}), leniently:
 * fields this version does not know are ignored and absent or null fields stay null, so an older meridianctl reads a
 * newer node. Stateless.
 */
final class Responses {
    private static final ObjectMapper LENIENT = Json.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Responses() {
    }

    /** {@code node} as {@code type}; a node's answer this version cannot map is an {@link ExitCode#UNAVAILABLE}. */
    static <T> T read(JsonNode node, Class<T> type) {
        try {
            return LENIENT.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "unexpected_answer", "the node's answer is not a "
                    + type.getSimpleName() + " (" + e.getMessage() + "): is meridianctl much older or newer than the"
                    + " node?", e);
        }
    }
}
