package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import io.meridian.streams.RegionStreams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever ended a request into its answer. Every error body has the same shape,
 * {@code {"error":{"code":"...","message":"...", ...details}}}; retriable answers carry {@code Retry-After}; an
 * unexpected exception becomes {@code 500 internal}, is logged with the tenant it concerns, and never shows its
 * stack trace to the client. Thread-safe.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    public static final String RETRY_AFTER = "Retry-After";

    private final int retryAfterSeconds;

    public ErrorResponses(int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The answer for {@code error}; {@code tenant} (may be null) is only used for logging unexpected failures. */
    public Reply toReply(Throwable error, String tenant) {
        Throwable cause = unwrap(error);
        if (cause instanceof ApiException api) {
            return reply(api.code(), api.getMessage(), api.details());
        }
        if (ControllerErrors.isDeposed(cause)) {
            // Thrown by the control plane where no handler translated it with more context.
            ApiException deposed = ControllerErrors.deposed((RuntimeException) cause, tenant);
            return reply(deposed.code(), deposed.getMessage(), Map.of());
        }
        if (cause instanceof NotReadyException) {
            return reply(ErrorCode.NOT_READY, "this node's region state is not ready yet (starting or rebalancing):"
                    + " retry after the Retry-After delay", Map.of());
        }
        LOG.error("request failed unexpectedly tenant={}", tenant == null ? "-" : tenant, cause);
        return reply(ErrorCode.INTERNAL, "the router failed unexpectedly; the error is logged on the node. Retry;"
                + " if it persists, report it with the time of the request", Map.of());
    }

    public Reply reply(ErrorCode code, String message, Map<String, Object> details) {
        Reply reply = Reply.json(code.status(), body(code.wireName(), message, details));
        return code.retriable() ? reply.withHeader(RETRY_AFTER, Integer.toString(retryAfterSeconds)) : reply;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** {@code {"error":{"code":..,"message":.., ...details}}}. */
    public static Map<String, Object> body(String code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.putAll(details);
        return Map.of("error", error);
    }

    /** The exception a future failed with, without the wrappers that futures add. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
