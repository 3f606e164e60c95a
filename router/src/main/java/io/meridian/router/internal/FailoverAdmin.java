package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.ManualFailoverError;
import io.meridian.election.failover.ManualFailoverRejectedException;
import io.meridian.election.failover.TenantFailover;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.serde.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manual failover for the admin API, on the controller: {@link ControlPlane#failover} (the same path as automatic
 * failover), then a bounded wait until this node's placement view shows every promoted tenant's new placement, so the
 * next request here already routes by it. Runs on the same {@code serial} executor as {@link PlacementAdmin}: an admin
 * placement change computed after a failover sees its epochs. A node that forwarded the request waits the same way
 * for its own view ({@link #awaitRelayed}). Thread-safe.
 *
 * <p>The answer: {@code {"region","tenants":[{"tenant","oldPrimary","newPrimary","epoch","outcome","reason"}],
 * "event":<the FailoverEvent>}}; {@code 200}, or {@code 202} when the failover is committed but this node does not
 * show it yet.
 */
public final class FailoverAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverAdmin.class);

    private final ControlPlane controlPlane;
    private final PlacementWatch watch;
    private final ExecutorService serial;
    private final Duration visibleWait;

    public FailoverAdmin(ControlPlane controlPlane, PlacementWatch watch, ExecutorService serial,
                         Duration visibleWait) {
        this.controlPlane = controlPlane;
        this.watch = watch;
        this.serial = serial;
        this.visibleWait = visibleWait;
    }

    public CompletableFuture<Reply> failover(FailoverRequest request) {
        return CompletableFuture.supplyAsync(() -> execute(request), serial);
    }

    private Reply execute(FailoverRequest request) {
        FailoverEvent event;
        try {
            event = controlPlane.failover(request.region(), request.target(), request.force());
        } catch (ManualFailoverRejectedException e) {
            LOG.info("manual failover rejected region={} target={} force={} code={}: {}", request.region(),
                    request.target().orElse("-"), request.force(), e.error().code(), e.getMessage());
            throw rejected(e.error());
        } catch (RuntimeException e) {
            ApiException answer = ControllerErrors.translate(e, null).orElse(null);
            if (answer == null) {
                throw e;
            }
            LOG.warn("manual failover failed region={} target={}: {}", request.region(),
                    request.target().orElse("-"), e.toString());
            throw answer;
        }
        Map<String, Long> promoted = promoted(event);
        LOG.info("manual failover done region={} target={} force={} promoted={} of {} tenants", event.region(),
                event.target().isEmpty() ? "-" : event.target(), event.forced(), promoted.size(),
                event.tenants().size());
        boolean visible = awaitVisible(promoted);
        return Reply.json(visible ? 200 : 202, body(event));
    }

    private boolean awaitVisible(Map<String, Long> epochs) {
        try {
            return watch.awaitEpochs(epochs, visibleWait).get(visibleWait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the placement view", e);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /**
     * On a node that forwarded the failover to the controller: the controller's answer once this node's placement
     * view shows every promoted tenant ({@code 200} becomes {@code 202} when it does not within the wait). Other
     * answers are relayed as they are.
     */
    public CompletableFuture<Reply> awaitRelayed(Reply relayed) {
        if (relayed.status() != 200) {
            return CompletableFuture.completedFuture(relayed);
        }
        Map<String, Long> promoted = new LinkedHashMap<>();
        try {
            for (JsonNode tenant : Json.readTree(relayed.body()).path("tenants")) {
                if (TenantFailover.Outcome.PROMOTED.wireName().equals(tenant.path("outcome").asText())) {
                    promoted.put(tenant.path("tenant").asText(), tenant.path("epoch").asLong());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the controller answered a failover with 200 but an unreadable body: {}", e.toString());
            return CompletableFuture.completedFuture(relayed);
        }
        return watch.awaitEpochs(promoted, visibleWait).thenApply(visible -> visible ? relayed
                : new Reply(202, relayed.headers(), relayed.contentType(), relayed.body()));
    }

    /** Tenant → its new epoch, for every promoted tenant. */
    private static Map<String, Long> promoted(FailoverEvent event) {
        Map<String, Long> promoted = new LinkedHashMap<>();
        for (FailoverEvent.TenantResult tenant : event.tenants()) {
            if (tenant.outcome() == TenantFailover.Outcome.PROMOTED) {
                promoted.put(tenant.tenant(), tenant.epochAfter());
            }
        }
        return promoted;
    }

    static Map<String, Object> body(FailoverEvent event) {
        List<Map<String, Object>> tenants = new ArrayList<>();
        for (FailoverEvent.TenantResult tenant : event.tenants()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("tenant", tenant.tenant());
            one.put("oldPrimary", tenant.primaryBefore());
            one.put("newPrimary", tenant.primaryAfter());
            one.put("epoch", tenant.epochAfter());
            one.put("outcome", tenant.outcome().wireName());
            one.put("reason", tenant.reason());
            tenants.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", event.region());
        body.put("tenants", tenants);
        body.put("event", event);
        return body;
    }

    /** The answer for a rejected request: its stable code, a message that says what to do, the facts as fields. */
    static ApiException rejected(ManualFailoverError error) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("region", error.region());
        if (error instanceof ManualFailoverError.UnknownRegion unknown) {
            details.put("knownRegions", List.copyOf(unknown.knownRegions()));
            return ApiException.of(ErrorCode.UNKNOWN_REGION, error.message()
                    + ": fail over one of the known regions", null, details, null);
        }
        if (error instanceof ManualFailoverError.InvalidTarget invalid) {
            details.put("target", invalid.target());
            details.put("reason", invalid.reason());
            return ApiException.of(ErrorCode.INVALID_TARGET, error.message(), null, details, null);
        }
        if (error instanceof ManualFailoverError.Inhibited inhibited) {
            String until = Instant.ofEpochMilli(inhibited.untilMillis()).toString();
            details.put("until", until);
            details.put("untilMillis", inhibited.untilMillis());
            return ApiException.of(ErrorCode.INHIBITED, "region '" + error.region() + "' was failed over recently;"
                    + " failover of it is inhibited until " + until + ": retry after that, or send \"force\":true"
                    + " to fail it over anyway", null, details, null);
        }
        throw new IllegalStateException("unknown manual failover error " + error.getClass().getName() + " code="
                + error.code());
    }
}
