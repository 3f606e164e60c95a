package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One validated client write: a put of {@code value}, or a delete when {@code value} is null. {@code generatedId}
 * tells a write id the router made up (no Idempotency-Key) from the client's. {@code rawPath} and {@code rawQuery}
 * (may be null) are the request's, as sent, for redirects.
 */
public record WriteCommand(String tenant, String key, JsonNode value, String writeId, boolean generatedId,
                           String rawPath, String rawQuery) {

    public boolean isDelete() {
        return value == null;
    }

    /** {@code put} or {@code delete}, for logs and meters. */
    public String op() {
        return isDelete() ? "delete" : "put";
    }
}
