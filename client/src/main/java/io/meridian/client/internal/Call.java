package io.meridian.client.internal;

import io.meridian.client.Attempt;
import io.meridian.client.AttemptListener;
import io.meridian.client.ErrorBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of the client (a put, get or delete) across its attempts: the request, which is the same for every attempt
 * (same method, body and headers, the {@code Idempotency-Key} included), where the next attempt goes, and what each
 * answer means. Used by one attempt at a time (the blocking call's thread, or the asynchronous call's stages, which
 * follow one another).
 */
public final class Call {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    /** More 307s than this in a row (nodes that disagree, or a redirect loop) end the call with the last one. */
    static final int MAX_REDIRECTS_IN_A_ROW = 10;
    /** More placement changes than this end the call with the last one (placements do not change that often). */
    static final int MAX_PLACEMENT_CHANGES = 10;
    /** Redirects and placement changes are followed at once twice in a row, then with this delay. */
    static final Duration FOLLOW_DELAY = Duration.ofMillis(200);
    /** Retry-After is a minimum: the delay is this multiple of it, jittered by {@link Sender#JITTER} either way. */
    static final double RETRY_AFTER_FACTOR = 1.25;

    /** 503s to a write after which it was certainly not applied: the node refused it before producing it. */
    private static final Set<String> NOT_PRODUCED = Set.of(KnownCode.WRITES_PAUSED.wireName(),
            KnownCode.COORDINATION_LOST.wireName(), KnownCode.NOT_READY.wireName(),
            KnownCode.WRITE_CONCERN_UNAVAILABLE.wireName(), KnownCode.NO_CONTROLLER.wireName(),
            KnownCode.APPLIER_BEHIND.wireName());

    private final String op;
    private final String method;
    private final String tenant;
    private final String key;
    private final String path;
    private final byte[] body;
    private final Map<String, String> headers;
    private final String idempotencyKey;
    private final Targets targets;
    private final String pinnedRegion;
    private final AttemptListener listener;
    private URI target;
    private int redirectsInARow;
    private int placementChanges;
    private boolean mayHaveBeenApplied;

    /**
     * @param op             {@code put} | {@code get} | {@code delete}
     * @param path           the raw path (segments encoded) and query
     * @param body           the body, null for none
     * @param headers        sent with every attempt
     * @param idempotencyKey writes: their key (also in {@code headers}); null for reads
     * @param pinnedRegion   a read pinned to this configured region (its nodes only, redirects not followed), or null
     * @param listener       told of every attempt
     */
    public Call(String op, String method, String tenant, String key, String path, byte[] body,
                Map<String, String> headers, String idempotencyKey, Targets targets, String pinnedRegion,
                AttemptListener listener) {
        this.op = op;
        this.method = method;
        this.tenant = tenant;
        this.key = key;
        this.path = path;
        this.body = body;
        this.headers = Map.copyOf(headers);
        this.idempotencyKey = idempotencyKey;
        this.targets = targets;
        this.pinnedRegion = pinnedRegion;
        this.listener = listener;
        URI base = pinnedRegion != null ? targets.pinnedIn(pinnedRegion)
                : isWrite() ? targets.forWrite(tenant) : targets.forRead();
        this.target = base.resolve(path);
    }

    public boolean isWrite() {
        return idempotencyKey != null;
    }

    public String op() {
        return op;
    }

    public String method() {
        return method;
    }

    public String tenant() {
        return tenant;
    }

    public String key() {
        return key;
    }

    public byte[] body() {
        return body;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The region a read is pinned to, null when it is not. */
    public String pinnedRegion() {
        return pinnedRegion;
    }

    /** The URL of the next attempt. */
    public URI target() {
        return target;
    }

    /** Whether an attempt of this write may have been produced to the WAL (so the write may be applied). */
    public boolean mayHaveBeenApplied() {
        return mayHaveBeenApplied;
    }

    /** No answer from the target (refused, reset, timed out): the next attempt goes to the next configured node. */
    void noAnswer(IOException error) {
        // A write sent before the connection broke may have been produced; its retries carry the same key.
        mayHaveBeenApplied |= isWrite() && !(error instanceof ConnectException)
                && !(error instanceof HttpConnectTimeoutException);
        redirectsInARow = 0;
        URI from = target;
        report(from, 0, error instanceof HttpTimeoutException ? "timeout" : "unreachable",
                error.toString());
        target = (pinnedRegion != null ? targets.unreachableIn(pinnedRegion, Targets.base(from))
                : targets.unreachable(isWrite() ? tenant : null, Targets.base(from))).resolve(path);
    }

    private void report(URI url, int status, String code, String error) {
        try {
            listener.attempted(new Attempt(op, tenant, key, idempotencyKey, url,
                    targets.regionOf(Targets.base(url)), status, code, error));
        } catch (RuntimeException e) {
            LOG.warn("the attempt listener failed on {} {}: {}", method, url, e.toString());
        }
    }

    /** What {@code response} means, and where the next attempt goes when there is one. */
    Answer answer(HttpResponse<byte[]> response) {
        URI from = target;
        int status = response.statusCode();
        byte[] bytes = response.body();
        Optional<ErrorBody> error = status >= 300 ? ErrorBody.parse(bytes) : Optional.empty();
        report(from, status, status < 300 ? "" : error.map(ErrorBody::code).orElse("http_" + status), null);
        if (status < 300) {
            if (isWrite()) {
                targets.accepted(tenant, Targets.base(from));
            }
            return Answer.last(from, status, response.headers(), bytes, error);
        }
        Optional<String> location = response.headers().firstValue("Location");
        if ((status == 307 || status == 308) && location.isPresent() && pinnedRegion == null) {
            if (++redirectsInARow > MAX_REDIRECTS_IN_A_ROW) {
                return Answer.last(from, status, response.headers(), bytes, error);
            }
            target = from.resolve(location.get());
            return Answer.again(from, status, response.headers(), bytes, error,
                    redirectsInARow <= 2 ? Duration.ZERO : FOLLOW_DELAY, "redirect");
        }
        redirectsInARow = 0;
        String code = error.map(ErrorBody::code).orElse("");
        if (status == 409 && KnownCode.PLACEMENT_CHANGED.is(code)) {
            if (++placementChanges > MAX_PLACEMENT_CHANGES) {
                return Answer.last(from, status, response.headers(), bytes, error);
            }
            // To the new primary when the client knows its URL; else the same node, which redirects there.
            target = error.flatMap(e -> e.detail("primary")).flatMap(targets::urlOf)
                    .map(base -> base.resolve(path)).orElse(from);
            return Answer.again(from, status, response.headers(), bytes, error,
                    placementChanges <= 2 ? Duration.ZERO : FOLLOW_DELAY, "placement_changed");
        }
        Optional<String> retryAfter = response.headers().firstValue("Retry-After");
        if (retryAfter.isPresent()) {
            mayHaveBeenApplied |= isWrite() && status == 503 && !NOT_PRODUCED.contains(code);
            if (KnownCode.POSITION_NOT_REACHED.is(code) && pinnedRegion == null) {
                // This region will not get there in time (paused, or far behind): the primary has applied it.
                error.flatMap(e -> e.detail("primary")).flatMap(targets::urlOf)
                        .ifPresent(base -> target = base.resolve(path));
            }
            long millis = Math.max(100, (long) (retryAfterSeconds(retryAfter.get()) * 1000 * RETRY_AFTER_FACTOR));
            return Answer.again(from, status, response.headers(), bytes, error, Duration.ofMillis(millis),
                    "retry_after");
        }
        return Answer.last(from, status, response.headers(), bytes, error);
    }

    /** Retry-After in seconds (the API sends an integer; an HTTP date or garbage counts as 1 s). */
    static long retryAfterSeconds(String value) {
        try {
            return Math.max(0, Math.min(3600, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
