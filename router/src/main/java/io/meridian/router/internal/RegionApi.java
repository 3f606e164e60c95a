package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.RegionPause;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.router.ReplicationStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pausing and resuming a region's replication (maintenance), behind {@link AdminAuth}:
 * {@code GET /admin/regions}, {@code GET /admin/regions/{region}}, {@code POST /admin/regions/{region}/pause} and
 * {@code POST /admin/regions/{region}/resume}.
 *
 * <p>Served by any node, not forwarded to the controller: the intent goes to {@code meridian.regions}
 * ({@link RegionPauses}), which every node and the controller read; a pause changes no placement and writes no fence,
 * so it does not wait for (or depend on) an elected controller. Both changes are idempotent: pausing a paused region
 * or resuming a running one answers 200 with {@code "changed": false} and keeps the first pause's time and reason.
 * A region that is the primary of a tenant cannot be paused ({@code 409 region_has_primaries}): its writes are
 * acknowledged only once its own applier accepted them, so pausing it would stop them. Thread-safe.
 */
public final class RegionApi {
    private static final Logger LOG = LoggerFactory.getLogger(RegionApi.class);
    public static final String REGIONS_PATH = "/admin/regions";
    public static final String REGION_PATH = "/admin/regions/{region}";
    public static final String PAUSE_PATH = "/admin/regions/{region}/pause";
    public static final String RESUME_PATH = "/admin/regions/{region}/resume";
    /** How long a change may take to be acknowledged by Kafka and read back by this node. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(15);
    /** Tenants named in a {@code region_has_primaries} answer (the count says how many there are). */
    static final int TENANTS_SHOWN = 20;
    private static final String EXAMPLE = "{\"reason\": \"disk replacement, ticket OPS-42\"}";

    private final AdminAuth auth;
    private final RegionPauses pauses;
    private final RegionView view;
    private final ReplicationStatus replication;
    private final Set<String> regions;
    private final String thisNode;
    private final int maxBodyBytes;
    private final Clock clock;

    public RegionApi(AdminAuth auth, RegionPauses pauses, RegionView view, ReplicationStatus replication,
                     Set<String> regions, String thisNode, int maxBodyBytes, Clock clock) {
        this.auth = auth;
        this.pauses = pauses;
        this.view = view;
        this.replication = replication;
        this.regions = new LinkedHashSet<>(regions);
        this.thisNode = thisNode;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, REGIONS_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(list())));
        endpoints.add(HandlerType.GET, REGION_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                Reply.json(200, body(pauses.state(region(ctx)), null)))));
        endpoints.add(HandlerType.POST, PAUSE_PATH, auth.protect(this::pause));
        endpoints.add(HandlerType.POST, RESUME_PATH, auth.protect(this::resume));
    }

    private Reply list() {
        List<Object> all = new ArrayList<>();
        regions.forEach(region -> all.add(body(pauses.state(region), null)));
        return Reply.json(200, Map.of("regions", all));
    }

    private CompletableFuture<Reply> pause(Context ctx) {
        String region = region(ctx);
        String reason = reason(HttpEndpoints.body(ctx, maxBodyBytes));
        return afterCatchingUp(region, "pause", () -> pause(region, reason));
    }

    private CompletableFuture<Reply> pause(String region, String reason) {
        RegionPause current = pauses.state(region);
        if (current.paused()) {
            return CompletableFuture.completedFuture(Reply.json(200, body(current, false)));
        }
        List<String> primaries = view.placements().stream()
                .filter(p -> p.acceptsWritesIn(region))
                .map(Placement::tenant)
                .sorted()
                .toList();
        if (!primaries.isEmpty()) {
            throw ApiException.of(ErrorCode.REGION_HAS_PRIMARIES, "region " + region + " is the primary of "
                    + primaries.size() + " tenant(s) " + primaries.subList(0, Math.min(TENANTS_SHOWN, primaries.size()))
                    + (primaries.size() > TENANTS_SHOWN ? " and more" : "") + ": their writes are acknowledged only"
                    + " once this region's applier accepted them, so pausing it would stop them. Move their primaries"
                    + " first (meridianctl migrate start, or meridianctl replication failover " + region
                    + "), then pause; nothing changed", null,
                    Map.of("region", region, "tenants", primaries.size(),
                            "examples", primaries.subList(0, Math.min(TENANTS_SHOWN, primaries.size()))), null);
        }
        return publish(new RegionPause(region, true, clock.millis(), reason, thisNode));
    }

    private CompletableFuture<Reply> resume(Context ctx) {
        String region = region(ctx);
        HttpEndpoints.body(ctx, maxBodyBytes);  // read (and bounded) even though a resume takes no fields
        return afterCatchingUp(region, "resume", () -> resume(region));
    }

    private CompletableFuture<Reply> resume(String region) {
        RegionPause current = pauses.state(region);
        if (!current.paused()) {
            return CompletableFuture.completedFuture(Reply.json(200, body(current, false)));
        }
        return publish(new RegionPause(region, false, clock.millis(), "", thisNode));
    }

    /**
     * Runs {@code decision} once this node has read every intent published so far, whichever node published it: a
     * pause sent to one node and repeated at another is then answered {@code "changed": false} by the second.
     */
    private CompletableFuture<Reply> afterCatchingUp(String region, String what,
                                                     Supplier<CompletableFuture<Reply>> decision) {
        return pauses.caughtUp()
                .orTimeout(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((caughtUp, error) -> {
                    if (error != null) {
                        Throwable cause = ErrorResponses.unwrap(error);
                        throw ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "reading meridian.regions to its end before"
                                + " the " + what + " of region " + region + " " + (cause instanceof TimeoutException
                                ? "took over " + PUBLISH_TIMEOUT.toMillis() + " ms" : "failed (" + cause + ")")
                                + ": retry (the request is idempotent); nothing changed", null,
                                Map.of("region", region), cause);
                    }
                    return decision;
                })
                .thenCompose(Supplier::get);
    }

    private CompletableFuture<Reply> publish(RegionPause intent) {
        return pauses.publish(intent)
                .orTimeout(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle((published, error) -> {
                    if (error != null) {
                        Throwable cause = ErrorResponses.unwrap(error);
                        String what = cause instanceof TimeoutException
                                ? "was not acknowledged and read back within " + PUBLISH_TIMEOUT.toMillis() + " ms"
                                : "failed (" + cause + ")";
                        throw ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "publishing the "
                                + (intent.paused() ? "pause" : "resume") + " of region " + intent.region()
                                + " to meridian.regions " + what + ": retry (the request is idempotent)", null,
                                Map.of("region", intent.region()), cause);
                    }
                    LOG.info("region={} replication {} by={} reason='{}'", published.region(),
                            published.paused() ? "paused" : "resumed", published.requestedBy(), published.reason());
                    return Reply.json(200, body(published, true));
                });
    }

    /** The region path parameter: {@code invalid_region} for a bad name, {@code region_not_found} if not configured. */
    private String region(Context ctx) {
        String region = ctx.pathParam("region");
        try {
            Names.requireRegion(region);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.INVALID_REGION, e.getMessage() + "; the regions are " + regions);
        }
        if (!regions.contains(region)) {
            throw ApiException.of(ErrorCode.REGION_NOT_FOUND, "region '" + region + "' is not a region of this"
                    + " deployment; the regions are " + regions);
        }
        return region;
    }

    /** The optional body {@code {"reason": "..."}}; empty body: no reason. Also the body of a failover pause. */
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

    /**
     * {@code {"region","paused","since","sinceMillis","reason","requestedBy","lagEntries","lagSeconds"}} and, for a
     * change, {@code "changed"}; {@code since} is null for a region never paused.
     */
    private Map<String, Object> body(RegionPause pause, Boolean changed) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", pause.region());
        body.put("paused", pause.paused());
        body.put("since", pause.sinceMillis() == 0 ? null : Instant.ofEpochMilli(pause.sinceMillis()).toString());
        body.put("sinceMillis", pause.sinceMillis() == 0 ? null : pause.sinceMillis());
        body.put("reason", pause.reason());
        body.put("requestedBy", pause.requestedBy());
        ReplicationLag lag = replication.lagByRegion().get(pause.region());
        body.put("lagEntries", lag == null ? null : lag.totalLagEntries());
        body.put("lagSeconds", lag == null ? null : lag.maxLagSeconds());
        if (changed != null) {
            body.put("changed", changed);
        }
        return body;
    }
}
