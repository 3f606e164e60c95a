package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The request itself is wrong and will be refused however often it is sent: a 4xx such as {@code invalid_tenant},
 * {@code invalid_key}, {@code malformed_json}, {@code invalid_document}, {@code invalid_if_match},
 * {@code body_too_large}, {@code document_too_large}, {@code idempotency_key_reused},
 * {@code write_concern_unsatisfiable}, {@code unauthorized}. Nothing was applied.
 */
public class InvalidRequestException extends MeridianException {
    public InvalidRequestException(String code, int status, String message, String tenant, String key,
                                   Map<String, JsonNode> details) {
        super(code, status, message, tenant, key, details, null);
    }
}
