package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.election.controller.ControlPlane;
import io.meridian.election.controller.PlacementPublisher;
import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and changes many tenants' placements for {@code PUT /admin/tenants}, on the controller: every valid entry
 * is planned from what the controller committed (as a single change would be), then the planned placements are
 * published in batches of at most {@link PlacementPublisher#MAX_BATCH}, each ONE transaction of the controller
 * (placements, fences), all of a batch or none of it. Runs on the same serial executor as single changes, so the two
 * never plan from the same epoch. The answer lists a result per entry, in the body's order:
 * {@code {"tenant","status":201|200,"epoch"}} or {@code {"tenant","status","error":{"code","message"}}}, with counts and
 * {@code "visible"} (whether this node's placement view showed every change within the wait). Thread-safe.
 */
public final class BulkPlacementAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(BulkPlacementAdmin.class);
    public static final String REASON = "admin-bulk";

    private final RegionView view;
    private final ControlPlane controlPlane;
    private final PlacementWatch watch;
    private final ExecutorService serial;
    private final Duration visibleWait;
    private final int batchSize;

    public BulkPlacementAdmin(RegionView view, ControlPlane controlPlane, PlacementWatch watch, ExecutorService serial,
                              Duration visibleWait) {
        this(view, controlPlane, watch, serial, visibleWait, PlacementPublisher.MAX_BATCH);
    }

    BulkPlacementAdmin(RegionView view, ControlPlane controlPlane, PlacementWatch watch, ExecutorService serial,
                       Duration visibleWait, int batchSize) {
        this.view = view;
        this.controlPlane = controlPlane;
        this.watch = watch;
        this.serial = serial;
        this.visibleWait = visibleWait;
        this.batchSize = batchSize;
    }

    /** {@code 200} with a result per entry; {@code 503} when the first batch found no controller (nothing changed). */
    public CompletableFuture<Reply> putAll(BulkPlacementRequest request) {
        return CompletableFuture.supplyAsync(() -> change(request), serial)
                .thenCompose(results -> awaitVisible(results).thenApply(visible -> reply(results, visible)));
    }

    /** What one entry came to. */
    private record Result(String tenant, int status, long epoch, boolean unchanged, ApiException error) {
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("tenant", tenant);
            json.put("status", status);
            if (error == null) {
                json.put("epoch", epoch);
            } else {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("code", error.code().wireName());
                body.put("message", error.getMessage());
                body.putAll(error.details());
                json.put("error", body);
            }
            return json;
        }

        boolean changed() {
            return error == null && !unchanged;
        }
    }

    /** A planned change: the entry's slot in the results and the placement to publish. */
    private record Planned(int index, Placement placement, int status) {
    }

    private List<Result> change(BulkPlacementRequest request) {
        long started = System.nanoTime();
        Result[] results = new Result[request.entries().size()];
        List<Planned> planned = new ArrayList<>();
        for (BulkPlacementRequest.Entry entry : request.entries()) {
            if (!entry.valid()) {
                results[entry.index()] = failed(entry.tenant(), entry.error());
                continue;
            }
            try {
                Placement current = controlPlane.committedPlacement(entry.tenant())
                        .or(() -> view.placement(entry.tenant())).orElse(null);
                if (entry.request().isSatisfiedBy(current)) {
                    results[entry.index()] = new Result(entry.tenant(), 200, current.epoch(), true, null);
                    continue;
                }
                Placement next = entry.request().toPlacement(entry.tenant(), current);
                if (current != null) {
                    next = PlacementAdmin.withSyncing(current, next);
                }
                planned.add(new Planned(entry.index(), next, current == null ? 201 : 200));
            } catch (ApiException e) {
                results[entry.index()] = failed(entry.tenant(), e);
            }
        }
        int committed = 0;
        ApiException noController = null;
        for (List<Planned> batch : PlacementPublisher.batches(planned, batchSize)) {
            ApiException refused = noController;
            if (refused == null) {
                try {
                    controlPlane.changePlacements(batch.stream().map(Planned::placement).toList(), REASON);
                    committed += batch.size();
                } catch (RuntimeException e) {
                    refused = ControllerErrors.translate(e, null).orElseThrow(() -> e);
                    LOG.warn("bulk placement batch not published tenants={} first={}: {}", batch.size(),
                            batch.get(0).placement().tenant(), e.toString());
                    if (ControllerErrors.isDeposed(e)) {
                        if (committed == 0) {
                            throw refused;  // nothing changed: the whole request can be retried as it is
                        }
                        noController = refused;  // later batches cannot commit either
                    }
                }
            }
            for (Planned p : batch) {
                results[p.index()] = refused == null ? new Result(p.placement().tenant(), p.status(),
                        p.placement().epoch(), false, null) : failed(p.placement().tenant(), refused);
            }
        }
        LOG.info("bulk placement entries={} published={} failed={} took={}ms", results.length, committed,
                Arrays.stream(results).filter(r -> r.error() != null).count(),
                (System.nanoTime() - started) / 1_000_000);
        return List.of(results);
    }

    private static Result failed(String tenant, ApiException error) {
        return new Result(tenant, error.status(), 0, false, error);
    }

    private CompletableFuture<Boolean> awaitVisible(List<Result> results) {
        Map<String, Long> epochs = new LinkedHashMap<>();
        results.stream().filter(Result::changed).forEach(r -> epochs.put(r.tenant(), r.epoch()));
        return watch.awaitEpochs(epochs, visibleWait);
    }

    private static Reply reply(List<Result> results, boolean visible) {
        int created = 0;
        int changed = 0;
        int unchanged = 0;
        int failed = 0;
        List<Map<String, Object>> entries = new ArrayList<>(results.size());
        for (Result result : results) {
            if (result.error() != null) {
                failed++;
            } else if (result.unchanged()) {
                unchanged++;
            } else if (result.status() == 201) {
                created++;
            } else {
                changed++;
            }
            entries.add(result.toJson());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("created", created);
        body.put("changed", changed);
        body.put("unchanged", unchanged);
        body.put("failed", failed);
        body.put("visible", visible);
        body.put("results", entries);
        return Reply.json(200, body);
    }

    /**
     * On a node that forwarded the request to the controller: the controller's answer, once this node's placement
     * view shows every change it reports ({@code "visible":false} when not within the wait).
     */
    public CompletableFuture<Reply> awaitRelayed(Reply relayed) {
        if (relayed.status() != 200) {
            return CompletableFuture.completedFuture(relayed);
        }
        JsonNode body;
        try {
            body = Json.readTree(relayed.body());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(relayed);
        }
        Map<String, Long> epochs = new LinkedHashMap<>();
        for (JsonNode result : body.path("results")) {
            if (!result.has("error") && result.path("epoch").asLong(0) > 0) {
                epochs.put(result.path("tenant").asText(), result.path("epoch").asLong());
            }
        }
        return watch.awaitEpochs(epochs, visibleWait).thenApply(visible -> {
            if (visible || !(body instanceof ObjectNode object)) {
                return relayed;
            }
            object.put("visible", false);
            return new Reply(relayed.status(), relayed.headers(), relayed.contentType(), Json.write(object));
        });
    }
}
