package io.meridian.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.failsafe.FailsafeException;
import io.meridian.client.ConflictException;
import io.meridian.client.ErrorBody;
import io.meridian.client.InvalidRequestException;
import io.meridian.client.MeridianException;
import io.meridian.client.TenantNotFoundException;
import io.meridian.client.UnavailableException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Maps the API's error answers ({@code router/API.md}, Errors) to the client's exceptions, by status and code:
 * retriable answers (a {@code Retry-After}, or {@code placement_changed}) left over when the budget ran out →
 * {@link UnavailableException}; {@code precondition_failed}, {@code write_conflict} → {@link ConflictException};
 * {@code tenant_not_found} → {@link TenantNotFoundException}; other 4xx → {@link InvalidRequestException}; the rest
 * ({@code 500 internal}, answers that are not Meridian's) → {@link MeridianException}. Stateless.
 */
public final class Errors {
    private Errors() {
    }

    /** The exception for the final, unsuccessful {@code answer} of {@code call}. */
    public static MeridianException of(Call call, Answer answer) {
        int status = answer.status();
        String code = answer.code();
        String message = answer.error().map(ErrorBody::message).orElseGet(() -> text(answer.body()));
        Map<String, JsonNode> details = answer.error().map(ErrorBody::details).orElse(Map.of());
        if (call.pinnedRegion() != null && isRedirect(status)) {
            return new MeridianException(code, status, "region " + call.pinnedRegion() + " redirects the read to "
                    + answer.header("Location").orElse("?") + " (it holds no copy of the tenant); a pinned read does"
                    + " not follow: " + message, call.tenant(), call.key(), details, null);
        }
        if (answer.retry() || isRetriable(status, code, answer.header("Retry-After").isPresent())) {
            String why = answer.retry() ? "still " + status + " " + code + " when the client's operation timeout ran"
                    + " out: " : isRedirect(status) ? "too many redirects in a row, the last to "
                    + answer.header("Location").orElse("?") + ": " : "";
            return new UnavailableException(code, status, why + message, call.tenant(), call.key(), details,
                    call.idempotencyKey(), call.mayHaveBeenApplied(), null);
        }
        Class<? extends MeridianException> type = typeOf(status, code, false);
        if (type == ConflictException.class) {
            return new ConflictException(code, status, message, call.tenant(), call.key(), details);
        }
        if (type == TenantNotFoundException.class) {
            return new TenantNotFoundException(message, call.tenant(), call.key(), details);
        }
        if (type == InvalidRequestException.class && answer.error().isPresent()) {
            return new InvalidRequestException(code, status, message, call.tenant(), call.key(), details);
        }
        return new MeridianException(code, status, message + " (from " + answer.from() + ")", call.tenant(),
                call.key(), details, null);
    }

    /**
     * The exception an error answer ends as when the client cannot retry it (any more).
     *
     * @param retryAfter whether the answer carried {@code Retry-After} (the API sends it on every retriable answer)
     */
    public static Class<? extends MeridianException> typeOf(int status, String code, boolean retryAfter) {
        if (isRetriable(status, code, retryAfter)) {
            return UnavailableException.class;
        }
        if (KnownCode.PRECONDITION_FAILED.is(code) || KnownCode.WRITE_CONFLICT.is(code)) {
            return ConflictException.class;
        }
        if (KnownCode.TENANT_NOT_FOUND.is(code)) {
            return TenantNotFoundException.class;
        }
        return status >= 400 && status < 500 ? InvalidRequestException.class : MeridianException.class;
    }

    private static boolean isRetriable(int status, String code, boolean retryAfter) {
        return retryAfter || status == 503 || KnownCode.PLACEMENT_CHANGED.is(code) || isRedirect(status);
    }

    /** No node answered the last attempt and the budget ran out. */
    public static UnavailableException noAnswer(Call call, IOException error) {
        String code = error instanceof HttpTimeoutException ? "timeout" : "unreachable";
        return new UnavailableException(code, 0, "no answer from " + call.target() + " (" + error
                + ") when the client's operation timeout ran out" + (call.mayHaveBeenApplied()
                ? "; the write may have been applied: retry with the same Idempotency-Key" : ""),
                call.tenant(), call.key(), Map.of(), call.idempotencyKey(), call.mayHaveBeenApplied(), error);
    }

    /**
     * The exception an asynchronous call ended with: {@code error} as the future gave it (wrapped in
     * {@link java.util.concurrent.CompletionException} or Failsafe's exception), its cause mapped as the blocking
     * call maps it.
     */
    public static RuntimeException failure(Call call, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException
                || cause instanceof FailsafeException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof MeridianException meridian) {
            return meridian;
        }
        if (cause instanceof IOException io) {
            return noAnswer(call, io);
        }
        if (cause instanceof InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return interrupted(call, interrupted);
        }
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }

    /** The calling thread was interrupted (its interrupt flag is set). */
    public static UnavailableException interrupted(Call call, InterruptedException error) {
        return new UnavailableException("interrupted", 0, "interrupted before an answer came", call.tenant(),
                call.key(), Map.of(), call.idempotencyKey(), call.isWrite(), error);
    }

    private static boolean isRedirect(int status) {
        return status >= 300 && status < 400;
    }

    private static String text(byte[] body) {
        String text = new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(no body)" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
