package io.meridian.client;

import java.net.URI;
import java.util.Optional;

/**
 * One HTTP request of a call ({@link AttemptListener}): a call of the client (a put, get or delete) sends one or more,
 * following redirects, retrying after {@code Retry-After}, trying another node when one does not answer. Immutable.
 *
 * @param op             {@code put} | {@code get} | {@code delete}
 * @param idempotencyKey a write's key (the same for every attempt of the call), null for reads
 * @param url            the URL the attempt went to
 * @param region         the configured region of that node, null when it is none of the configured nodes (a
 *                       redirect's {@code Location} elsewhere)
 * @param status         the HTTP status of the answer, 0 when none came (refused, reset, timed out)
 * @param code           the error code of the answer ({@code writes_paused}...; {@code http_<status>} for an answer
 *                       that is not a Meridian error, e.g. a bare 307); {@code unreachable} or {@code timeout} when no
 *                       answer came; empty for a 2xx
 * @param error          when no answer came, what the HTTP client said; else null
 */
public record Attempt(String op, String tenant, String key, String idempotencyKey, URI url, String region, int status,
                      String code, String error) {

    /** Whether an answer came. */
    public boolean answered() {
        return status != 0;
    }

    /** An error answer (4xx, 5xx) or none: what an operator would count as an error, retried or not. */
    public boolean failed() {
        return status == 0 || status >= 400;
    }

    public Optional<String> errorText() {
        return Optional.ofNullable(error);
    }
}
