package io.meridian.router.internal;

import io.meridian.migration.Migration;
import io.meridian.migration.MigrationException;
import io.meridian.migration.MigrationPlan;
import io.meridian.migration.Migrations;
import io.meridian.router.RouterMetrics;
import io.meridian.router.RouterMetrics.MigrationOp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration admin endpoints' work, on the controller (the node's {@link Migrations} works only there; see
 * {@link MigrationApi} for the forwarding). Commands ({@link #start}, {@link #plan}, {@link #cancel}) block until the
 * controller's duties thread ran them (bounded by the executor's call timeout), so they run on {@code commands}, never
 * on an HTTP thread; reads answer from the executor's book at once.
 *
 * <p>What the calls throw becomes the API's answer ({@link #translate}): a {@link MigrationException} its
 * {@link MigrationException#code() code} and {@link MigrationException#status() status} ({@code Retry-After} when
 * {@link MigrationException#retriable() retriable}); this node not (or no longer) being the controller, or its
 * migration executor not active, {@code 503 no_controller}; a controller transaction Kafka did not commit, or a
 * command the duties thread did not run in time, {@code 503 kafka_unavailable}. Every request is counted in
 * {@link RouterMetrics#MIGRATION_REQUESTS}. Thread-safe.
 */
public final class MigrationAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationAdmin.class);
    static final String MIGRATIONS_PATH_PREFIX = "/admin/migrations/";

    private final Migrations migrations;
    private final Executor commands;
    private final ErrorResponses errors;
    private final RouterMetrics metrics;

    /** @param commands runs the blocking commands; must not be an HTTP thread pool the answers need */
    public MigrationAdmin(Migrations migrations, Executor commands, ErrorResponses errors, RouterMetrics metrics) {
        this.migrations = migrations;
        this.commands = commands;
        this.errors = errors;
        this.metrics = metrics;
    }

    /** {@code 202} with the migration and {@code Location: /admin/migrations/{id}}. */
    public CompletableFuture<Reply> start(String tenant, String toRegion, String requestedBy) {
        return onCommands(MigrationOp.START, tenant, "", () -> {
            Migration migration = migrations.start(tenant, toRegion, requestedBy);
            LOG.info("migration requested migration={} tenant={} from={} to={} by={}", migration.id(), tenant,
                    migration.fromRegion(), toRegion, requestedBy);
            return Reply.json(202, body(migration), Map.of(ControllerForwarder.LOCATION, location(migration.id())));
        });
    }

    /** Dry run: {@code 200} with the plan; nothing is written. */
    public CompletableFuture<Reply> plan(String tenant, String toRegion) {
        return onCommands(MigrationOp.DRY_RUN, tenant, "", () -> {
            MigrationPlan plan = migrations.plan(tenant, toRegion);
            return Reply.json(200, plan);
        });
    }

    /**
     * {@code 200} with the migration once it ended (cancelled, or it had already failed or been cancelled: cancel is
     * idempotent); {@code 202} with it and {@code Location} when the cancel is recorded but the roll-back is not done
     * yet (the controller finishes it on its next step).
     */
    public CompletableFuture<Reply> cancel(String migrationId, String requestedBy) {
        return onCommands(MigrationOp.CANCEL, null, migrationId, () -> {
            Migration migration = migrations.cancel(migrationId, requestedBy);
            LOG.info("migration cancel migration={} tenant={} state={} by={}", migrationId, migration.tenant(),
                    migration.state().wireName(), requestedBy);
            if (migration.active()) {
                return Reply.json(202, body(migration), Map.of(ControllerForwarder.LOCATION, location(migrationId)));
            }
            return Reply.json(200, body(migration));
        });
    }

    /** {@code 200} with the migration, or {@code 404 migration_not_found}. */
    public CompletableFuture<Reply> get(String migrationId) {
        return inline(MigrationOp.GET, null, migrationId, () -> migrations.get(migrationId)
                .map(migration -> Reply.json(200, body(migration)))
                .orElseThrow(() -> notFound(migrationId)));
    }

    /** {@code 200} {@code {"migrations":[...]}}, oldest first; empty for a tenant never migrated (or unknown). */
    public CompletableFuture<Reply> list(String tenant) {
        return inline(MigrationOp.LIST, tenant, "", () -> {
            List<Map<String, Object>> all = migrations.forTenant(tenant).stream().map(MigrationAdmin::body).toList();
            return Reply.json(200, Map.of("migrations", all));
        });
    }

    /**
     * {@code 200} {@code {"migrations":[...],"next":"..."}}: a page of the migrations that have not ended, oldest
     * first (by {@code requestedAt}, then id), after {@code cursor} (the {@code next} of the previous page, or null);
     * {@code next} is absent on the last page.
     */
    public CompletableFuture<Reply> active(int limit, String cursor) {
        return inline(MigrationOp.LIST, null, "", () -> {
            List<Migration> sorted = migrations.active().stream()
                    .sorted(java.util.Comparator.comparingLong(Migration::requestedAt).thenComparing(Migration::id))
                    .filter(m -> cursor == null || after(m, cursor))
                    .toList();
            List<Map<String, Object>> page = sorted.stream().limit(limit).map(MigrationAdmin::body).toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("migrations", page);
            if (sorted.size() > limit) {
                body.put("next", cursorOf(sorted.get(limit - 1)));
            }
            return Reply.json(200, body);
        });
    }

    /** A page cursor: the migration's {@code requestedAt} (20 digits, so strings sort as numbers) and id. */
    static String cursorOf(Migration migration) {
        return String.format("%020d", migration.requestedAt()) + "_" + migration.id();
    }

    private static boolean after(Migration migration, String cursor) {
        return cursorOf(migration).compareTo(cursor) > 0;
    }

    private CompletableFuture<Reply> onCommands(MigrationOp op, String tenant, String migrationId,
                                                Supplier<Reply> command) {
        CompletableFuture<Reply> reply;
        try {
            reply = CompletableFuture.supplyAsync(() -> answer(tenant, migrationId, command), commands);
        } catch (RuntimeException e) {  // rejected: the server is closing
            reply = CompletableFuture.failedFuture(e);
        }
        return counted(op, reply);
    }

    private CompletableFuture<Reply> inline(MigrationOp op, String tenant, String migrationId,
                                            Supplier<Reply> read) {
        CompletableFuture<Reply> reply;
        try {
            reply = CompletableFuture.completedFuture(answer(tenant, migrationId, read));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return counted(op, reply);
    }

    private CompletableFuture<Reply> counted(MigrationOp op, CompletableFuture<Reply> reply) {
        return reply.whenComplete((answer, error) -> metrics.migrationRequest(op,
                error == null ? answer.status() : status(ErrorResponses.unwrap(error))));
    }

    private static int status(Throwable error) {
        if (error instanceof ApiException api) {
            return api.status();
        }
        return ControllerErrors.isDeposed(error) ? ErrorCode.NO_CONTROLLER.status() : ErrorCode.INTERNAL.status();
    }

    /** Runs the call; a failure the API knows becomes its answer (thrown as an {@link ApiException}, or returned). */
    private Reply answer(String tenant, String migrationId, Supplier<Reply> call) {
        try {
            return call.get();
        } catch (MigrationException e) {
            Optional<ApiException> known = translate(e, tenant, migrationId);
            if (known.isPresent()) {
                throw known.get();
            }
            // A code this router does not know yet (a newer migration module): answered as the module says.
            LOG.warn("migration error code {} (status {}) is not one of the router's error codes; answered as is:"
                    + " {}", e.code(), e.status(), e.getMessage());
            Reply reply = Reply.json(e.status(), ErrorResponses.body(e.code(), e.getMessage(),
                    details(e.tenant().isEmpty() ? tenant : e.tenant(),
                            e.migrationId().isEmpty() ? migrationId : e.migrationId())));
            return e.retriable()
                    ? reply.withHeader(ErrorResponses.RETRY_AFTER, Integer.toString(errors.retryAfterSeconds(
                            ErrorCode.fromWire(e.code()).orElse(ErrorCode.MIGRATION_IN_PROGRESS))))
                    : reply;
        } catch (RuntimeException e) {
            Optional<ApiException> known = translate(e, tenant, migrationId);
            if (known.isEmpty()) {
                throw e;
            }
            LOG.warn("migration request not served tenant={} migration={}: {}", tenant == null ? "-" : tenant,
                    migrationId.isEmpty() ? "-" : migrationId, e.toString());
            throw known.get();
        }
    }

    /**
     * The answer for what a {@link Migrations} call threw, or empty when it is not a failure the API knows (a bug:
     * {@code 500 internal}, or a migration error code the router does not know).
     *
     * @param tenant      the tenant of the request, or null
     * @param migrationId the migration of the request, or ""
     */
    static Optional<ApiException> translate(RuntimeException error, String tenant, String migrationId) {
        if (error instanceof MigrationException migration) {
            return ErrorCode.fromWire(migration.code()).map(code -> {
                String tenantOf = migration.tenant().isEmpty() ? tenant : migration.tenant();
                String idOf = migration.migrationId().isEmpty() ? migrationId : migration.migrationId();
                return ApiException.of(code, migration.getMessage() + advice(code, tenantOf), tenantOf,
                        details(tenantOf, idOf), migration);
            });
        }
        if (ControllerErrors.isDeposed(error)) {
            return Optional.of(ApiException.of(ErrorCode.NO_CONTROLLER, "migrations run on the controller, and this"
                    + " node is not (or no longer, or not yet) running them (" + error.getMessage() + "); nothing"
                    + " was changed. A controller is being elected or is taking over: retry after the Retry-After"
                    + " delay", tenant, Map.of(), error));
        }
        if (error instanceof IllegalStateException && (error.getCause() instanceof TimeoutException
                || error.getCause() instanceof InterruptedException)) {
            // The executor's hand-off to the controller's duties thread timed out (or this node is shutting down).
            String check = tenant != null ? "GET /admin/tenants/" + tenant + "/migrations"
                    : "GET " + location(migrationId);
            return Optional.of(ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, error.getMessage() + " (the controller's"
                    + " Kafka transactions may be slow): the request may still take effect; check with " + check
                    + " before retrying", tenant, Map.of(), error));
        }
        return ControllerErrors.translate(error, tenant);
    }

    /** What to do, for the migration errors whose own message does not say it. */
    private static String advice(ErrorCode code, String tenant) {
        return switch (code) {
            case MIGRATION_NOT_FOUND -> tenant == null || tenant.isEmpty()
                    ? ": GET /admin/tenants/{tenant}/migrations lists a tenant's migrations"
                    : ": GET /admin/tenants/" + tenant + "/migrations lists the tenant's migrations";
            case UNKNOWN_REGION -> ": migrate to one of them";
            default -> "";
        };
    }

    private static Map<String, Object> details(String tenant, String migrationId) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (tenant != null && !tenant.isEmpty()) {
            details.put("tenant", tenant);
        }
        if (migrationId != null && !migrationId.isEmpty()) {
            details.put("migrationId", migrationId);
        }
        return details;
    }

    static ApiException notFound(String migrationId) {
        return ApiException.of(ErrorCode.MIGRATION_NOT_FOUND, "no migration '" + migrationId + "' on the controller:"
                + " use the id that POST /admin/tenants/{tenant}/migrate answered with; GET"
                + " /admin/tenants/{tenant}/migrations lists a tenant's migrations", null,
                Map.of("migrationId", migrationId), null);
    }

    /** {@code /admin/migrations/<id>}, the id encoded as a path segment. */
    static String location(String migrationId) {
        return MIGRATIONS_PATH_PREFIX + URLEncoder.encode(migrationId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A migration as the API shows it: every field of {@link Migration}, under the same names, plus {@code active}.
     * Times are epoch milliseconds; {@code pauseFence} is {@code ""}, {@code pausedAt} and {@code remainingEntries}
     * are {@code -1} until known.
     */
    static Map<String, Object> body(Migration migration) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", migration.id());
        body.put("tenant", migration.tenant());
        body.put("fromRegion", migration.fromRegion());
        body.put("toRegion", migration.toRegion());
        body.put("state", migration.state().wireName());
        body.put("active", migration.active());
        body.put("cancelRequested", migration.cancelRequested());
        body.put("requestedAt", migration.requestedAt());
        body.put("updatedAt", migration.updatedAt());
        body.put("timeoutMs", migration.timeoutMs());
        body.put("placementEpoch", migration.placementEpoch());
        body.put("pauseFence", migration.pauseFence());
        body.put("pausedAt", migration.pausedAt());
        body.put("remainingEntries", migration.remainingEntries());
        double rate = migration.entriesPerSecond();
        body.put("entriesPerSecond", Double.isFinite(rate) ? rate : 0.0);
        body.put("reason", migration.reason());
        return body;
    }
}
