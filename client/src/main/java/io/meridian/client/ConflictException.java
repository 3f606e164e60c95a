package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * The write was decided against, because the document is not where the write expected it: {@code 412
 * precondition_failed} (not at the {@code If-Match} version) or {@code 409 write_conflict} (multi-primary
 * {@code reject}: another region wrote it concurrently). Nothing was applied: read the document, then decide.
 */
public class ConflictException extends MeridianException {
    public ConflictException(String code, int status, String message, String tenant, String key,
                             Map<String, JsonNode> details) {
        super(code, status, message, tenant, key, details, null);
    }

    /** The document's current version (a position's text, or {@code absent}), when the answer said. */
    public Optional<String> current() {
        return detail("current");
    }
}
