package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * A request Meridian did not carry out, with the API's error {@link #code()} ({@code router/API.md}, Errors) and the
 * tenant and key it concerns. The root of the client's exceptions; thrown as it is for answers no subclass covers
 * ({@code 500 internal}, or an answer that is not Meridian's). Subclasses: {@link InvalidRequestException} (fix the
 * request), {@link TenantNotFoundException}, {@link ConflictException} (the document changed: read, then decide),
 * {@link UnavailableException} (retriable: the client's retry budget ran out).
 */
public class MeridianException extends RuntimeException {
    private final String code;
    private final int status;
    private final String tenant;
    private final String key;
    private final Map<String, JsonNode> details;

    /**
     * @param code    the API's error code ({@code document_too_large}...) or, without an answer, the client's own
     *                ({@code unreachable}, {@code timeout}, {@code interrupted}, {@code http_<status>})
     * @param status  the HTTP status, 0 when there was no answer
     * @param details the error's details ({@link ErrorBody#details()}), empty when none
     */
    public MeridianException(String code, int status, String message, String tenant, String key,
                             Map<String, JsonNode> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.tenant = tenant;
        this.key = key;
        this.details = Map.copyOf(details);
    }

    /** The API's error code, e.g. {@code idempotency_key_reused}. */
    public String code() {
        return code;
    }

    /** The HTTP status of the answer, 0 when no answer came. */
    public int status() {
        return status;
    }

    public String tenant() {
        return tenant;
    }

    public String key() {
        return key;
    }

    public Map<String, JsonNode> details() {
        return details;
    }

    /** A detail as text, when present and not null. */
    public Optional<String> detail(String name) {
        JsonNode value = details.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** Whether the same request may succeed later, unchanged (false here; {@link UnavailableException} is). */
    public boolean retriable() {
        return false;
    }

    @Override
    public String getMessage() {
        return code + " (" + (status == 0 ? "no answer" : status) + ", tenant " + tenant + ", key " + key + "): "
                + super.getMessage();
    }
}
