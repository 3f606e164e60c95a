package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.regions.RegionPauses;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the admin API changes an intent in {@code meridian.regions} (a region's replication pause, the
 * cluster-wide pause of automatic failover): catch up with what every node published, decide from the current intent,
 * publish and read back. Deciding after catching up makes a change idempotent across nodes: a pause sent to one node
 * and repeated at another is answered {@code "changed": false} by the second, which keeps the first pause's time and
 * reason. Thread-safe.
 */
final class PauseIntentChanges {
    private static final Logger LOG = LoggerFactory.getLogger(PauseIntentChanges.class);
    /** How long catching up may take, and then publishing and reading back. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String EXAMPLE = "{\"reason\": \"disk replacement, ticket OPS-42\"}";

    /** The intent after a request, and whether the request changed it. */
    record Outcome(RegionPause intent, boolean changed) {
    }

    private final RegionPauses pauses;
    private final String thisNode;
    private final Clock clock;

    PauseIntentChanges(RegionPauses pauses, String thisNode, Clock clock) {
        this.pauses = pauses;
        this.thisNode = thisNode;
        this.clock = clock;
    }

    /**
     * Sets the intent under {@code key} (a region, or {@link RegionPause#AUTOMATIC_FAILOVER}) to paused with
     * {@code reason}, or to running. Unchanged when it already is; otherwise {@code check} runs first and may refuse
     * by throwing an {@link ApiException}. Fails with {@code kafka_unavailable} (nothing changed, or a retry is
     * answered unchanged) when Kafka does not answer within {@link #TIMEOUT}.
     *
     * @param subject what the intent is about, for messages and logs: "region eu-west", "automatic failover"
     * @param details extra fields of an error's body, e.g. the region
     */
    CompletableFuture<Outcome> set(String key, boolean paused, String reason, String subject,
                                   Map<String, Object> details, Runnable check) {
        String change = (paused ? "pause" : "resume") + " of " + subject;
        return pauses.caughtUp()
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((caughtUp, error) -> {
                    if (error != null) {
                        throw unavailable("reading meridian.regions to its end before the " + change, error,
                                "; nothing changed", details);
                    }
                    return pauses.state(key);
                })
                .thenCompose(current -> {
                    if (current.paused() == paused) {
                        return CompletableFuture.completedFuture(new Outcome(current, false));
                    }
                    check.run();
                    return publish(new RegionPause(key, paused, clock.millis(), paused ? reason : "", thisNode),
                            change, subject, details);
                });
    }

    private CompletableFuture<Outcome> publish(RegionPause intent, String change, String subject,
                                               Map<String, Object> details) {
        return pauses.publish(intent)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((published, error) -> {
                    if (error != null) {
                        throw unavailable("publishing the " + change + " to meridian.regions", error, "", details);
                    }
                    LOG.info("{} {} by={} reason='{}'", subject, published.paused() ? "paused" : "resumed",
                            published.requestedBy(), published.reason());
                    return new Outcome(published, true);
                });
    }

    private static ApiException unavailable(String what, Throwable error, String suffix, Map<String, Object> details) {
        Throwable cause = ErrorResponses.unwrap(error);
        String how = cause instanceof TimeoutException ? "took over " + TIMEOUT.toMillis() + " ms"
                : "failed (" + cause + ")";
        return ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, what + " " + how + ": retry (the request is idempotent)"
                + suffix, null, details, cause);
    }

    /** The optional body {@code {"reason": "..."}} of a pause; an empty body gives no reason. */
    static String reason(byte[] body) {
        if (body.length == 0) {
            return "";
        }
        JsonNode node = RequestParsing.jsonObject(body, List.of("reason"), EXAMPLE,
                message -> ApiException.of(ErrorCode.INVALID_PAUSE, message));
        JsonNode reason = node.get("reason");
        if (reason == null || reason.isNull()) {
            return "";
        }
        if (!reason.isTextual() || reason.asText().length() > RegionPause.MAX_REASON_LENGTH) {
            throw ApiException.of(ErrorCode.INVALID_PAUSE, "reason must be a string of at most "
                    + RegionPause.MAX_REASON_LENGTH + " characters, e.g. " + EXAMPLE);
        }
        return reason.asText();
    }
}
