package io.meridian.client.internal;

import io.meridian.client.ErrorBody;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;

/**
 * One HTTP answer and what the client does about it: {@link #retry()} sends the request again after {@link #delay()}
 * (to the target the {@link Call} moved to), else the answer is final. Immutable.
 *
 * @param from   the URL that answered
 * @param reason why the request is sent again ({@code redirect}, {@code placement_changed}, {@code retry_after}),
 *               null when final
 */
public record Answer(URI from, int status, HttpHeaders headers, byte[] body, Optional<ErrorBody> error,
                     boolean retry, Duration delay, String reason) {
    static Answer last(URI from, int status, HttpHeaders headers, byte[] body, Optional<ErrorBody> error) {
        return new Answer(from, status, headers, body, error, false, Duration.ZERO, null);
    }

    static Answer again(URI from, int status, HttpHeaders headers, byte[] body, Optional<ErrorBody> error,
                        Duration delay, String reason) {
        return new Answer(from, status, headers, body, error, true, delay, reason);
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** The error code of the body, or {@code http_<status>} when the body is not a Meridian error. */
    public String code() {
        return error.map(ErrorBody::code).orElse("http_" + status);
    }
}
