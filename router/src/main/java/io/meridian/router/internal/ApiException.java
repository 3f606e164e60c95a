package io.meridian.router.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A request that ends with an error answer: a stable {@link ErrorCode}, a message that tells the reader what to do,
 * optional extra fields for the body (e.g. the current primary) and the tenant it concerns, for logs. Two kinds:
 * {@link Rejected} (the request itself is wrong or refers to something that does not exist: do not retry as is) and
 * {@link Unavailable} (the same request can succeed later: answered with {@code Retry-After}, see
 * {@link ErrorCode#retriable()}). Build them with
 * {@link #of}.
 */
public abstract sealed class ApiException extends RuntimeException
        permits ApiException.Rejected, ApiException.Unavailable {
    private final ErrorCode code;
    private final String tenant;
    private final Map<String, Object> details;

    private ApiException(ErrorCode code, String message, String tenant, Map<String, Object> details, Throwable cause) {
        super(message, cause, false, false);  // control flow for answers: no stack trace needed
        this.code = Objects.requireNonNull(code, "code");
        this.tenant = tenant;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static ApiException of(ErrorCode code, String message) {
        return of(code, message, null, Map.of(), null);
    }

    public static ApiException of(ErrorCode code, String message, String tenant) {
        return of(code, message, tenant, Map.of(), null);
    }

    public static ApiException of(ErrorCode code, String message, String tenant, Map<String, Object> details,
                                  Throwable cause) {
        return code.retriable() ? new Unavailable(code, message, tenant, details, cause)
                : new Rejected(code, message, tenant, details, cause);
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return code.status();
    }

    /** The tenant the request concerns, or null. */
    public String tenant() {
        return tenant;
    }

    /** Extra fields of the error body, after code and message. */
    public Map<String, Object> details() {
        return details;
    }

    /** The request cannot succeed as it is. */
    public static final class Rejected extends ApiException {
        Rejected(ErrorCode code, String message, String tenant, Map<String, Object> details, Throwable cause) {
            super(code, message, tenant, details, cause);
        }
    }

    /**
     * The same request can succeed later; answered with Retry-After (a 503, or a 409 for a migration conflict that
     * passes by itself).
     */
    public static final class Unavailable extends ApiException {
        Unavailable(ErrorCode code, String message, String tenant, Map<String, Object> details, Throwable cause) {
            super(code, message, tenant, details, cause);
        }
    }
}
