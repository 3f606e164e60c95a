package io.meridian.router.internal;

import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.streams.NotReadyException;
import io.meridian.streams.RegionStreams;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever ended a request into its answer. Every error body has the same shape,
 * {@code {"error":{"code":"...","message":"...", ...details}}}; retriable answers carry {@code Retry-After} with a
 * delay that fits the condition ({@link #forConfig}: {@code no_controller} lasts about a coordination session, a
 * rebalance a few seconds), a {@code 429} the delay its limiter computed (detail {@value #RETRY_AFTER_DETAIL}); every
 * {@code 401} carries {@code WWW-Authenticate}. An unexpected exception becomes {@code 500 internal}, is logged with
 * the tenant it concerns, and never shows its stack trace to the client. Thread-safe.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    public static final String RETRY_AFTER = "Retry-After";
    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    /** The challenge of every {@code 401}: a bearer token (the admin token, or a tenant API key on the data API). */
    public static final String BEARER_CHALLENGE = "Bearer realm=\"meridian\"";
    /** Detail of an error body (a {@code 429}) that sets its {@code Retry-After}, in whole seconds. */
    public static final String RETRY_AFTER_DETAIL = "retryAfterSeconds";

    private final int retryAfterSeconds;
    private final Map<ErrorCode, Integer> perCode;

    /** Every retriable answer waits {@code retryAfterSeconds}. */
    public ErrorResponses(int retryAfterSeconds) {
        this(retryAfterSeconds, Map.of());
    }

    /** Retriable answers wait the code's entry of {@code perCode}, else {@code retryAfterSeconds}. */
    public ErrorResponses(int retryAfterSeconds, Map<ErrorCode, Integer> perCode) {
        this.retryAfterSeconds = retryAfterSeconds;
        this.perCode = perCode.isEmpty() ? Map.of() : new EnumMap<>(perCode);
    }

    /**
     * The delays of a node: {@code retry.after.seconds} (the floor of every delay), longer where the condition
     * lasts longer. No controller, an unreachable one or a lost coordination session: a new controller (or the
     * session) comes back within about {@code zookeeper.session.timeout.ms}. A region rebalancing its partitions, a
     * controller rebuilding its migrations: a few seconds. Kafka not answering: a broker's leadership moves in 5-10 s.
     * A migration refused for a condition that passes: the other migration, the target's lag or its sync take
     * seconds to minutes.
     */
    public static ErrorResponses forConfig(MeridianConfig config) {
        int base = config.retryAfterSeconds();
        int session = (int) Math.ceil(config.getInt(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS) / 1000.0);
        Map<ErrorCode, Integer> delays = new EnumMap<>(ErrorCode.class);
        for (ErrorCode code : new ErrorCode[] {ErrorCode.NO_CONTROLLER, ErrorCode.CONTROLLER_UNREACHABLE,
                ErrorCode.COORDINATION_LOST}) {
            delays.put(code, Math.max(base, session));
        }
        for (ErrorCode code : new ErrorCode[] {ErrorCode.PARTITION_MOVING, ErrorCode.NOT_READY,
                ErrorCode.OWNER_UNREACHABLE, ErrorCode.MIGRATIONS_UNAVAILABLE}) {
            delays.put(code, Math.max(base, 2));
        }
        delays.put(ErrorCode.KAFKA_UNAVAILABLE, Math.max(base, 5));
        delays.put(ErrorCode.MIGRATION_IN_PROGRESS, Math.max(base, 5));
        delays.put(ErrorCode.TOO_MANY_MIGRATIONS, Math.max(base, 5));
        delays.put(ErrorCode.TARGET_LAGGING, Math.max(base, 5));
        delays.put(ErrorCode.TARGET_UNHEALTHY, Math.max(base, 10));
        delays.put(ErrorCode.TARGET_SYNCING, Math.max(base, 10));
        return new ErrorResponses(base, delays);
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
        if (code.status() == 401) {
            reply = reply.withHeader(WWW_AUTHENTICATE, BEARER_CHALLENGE);
        }
        if (details.get(RETRY_AFTER_DETAIL) instanceof Number seconds) {
            return reply.withHeader(RETRY_AFTER, Long.toString(Math.max(1, seconds.longValue())));
        }
        return code.retriable() ? reply.withHeader(RETRY_AFTER, Integer.toString(retryAfterSeconds(code))) : reply;
    }

    /** The floor of every delay ({@code retry.after.seconds}). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The {@code Retry-After} of a retriable answer with {@code code}, in seconds. */
    public int retryAfterSeconds(ErrorCode code) {
        return perCode.getOrDefault(code, retryAfterSeconds);
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
