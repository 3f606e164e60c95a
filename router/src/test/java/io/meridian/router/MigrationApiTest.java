package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterServerTest.assertError;
import static io.meridian.router.RouterServerTest.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.infra.model.MigrationState;
import io.meridian.migration.AlreadySwitchedException;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationException;
import io.meridian.migration.MigrationInProgressException;
import io.meridian.migration.MigrationNotFoundException;
import io.meridian.migration.MigrationsUnavailableException;
import io.meridian.migration.NotAReplicaException;
import io.meridian.migration.SameRegionException;
import io.meridian.migration.TargetLaggingException;
import io.meridian.migration.TargetUnhealthyException;
import io.meridian.migration.TenantNotFoundException;
import io.meridian.migration.UnknownRegionException;
import io.meridian.router.RouterMetrics.MigrationOp;
import io.meridian.router.RouterMetrics.MigrationOutcome;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The migration endpoints over HTTP on the controller, with the migrations in memory ({@link FakeMigrations}): every
 * success, every error code and status, what reaches the migrations and what does not.
 */
@Tag("integration")
@Timeout(120)
class MigrationApiTest {
    private static final String MIGRATE = "/admin/tenants/acme/migrate";
    private static final String LIST = "/admin/tenants/acme/migrations";
    private static final String START_BODY = "{\"to_region\":\"eu-west\",\"dry_run\":false}";

    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    private double counted(MigrationOp op, MigrationOutcome outcome) {
        return h.registry.get(RouterMetrics.MIGRATION_REQUESTS).tag(RouterMetrics.TAG_OP, op.tagValue())
                .tag(RouterMetrics.TAG_OUTCOME, outcome.tagValue()).counter().count();
    }

    private String node() {
        return "us-east/" + h.config.nodeId();
    }

    // ---- start

    @Test
    void shouldStartAMigrationAndAnswer202WithItAndItsLocation() {
        HttpResponse<String> response = h.admin("POST", MIGRATE, START_BODY);

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("/admin/migrations/m-1", header(response, "Location"));
        assertEquals("{\"id\":\"m-1\",\"tenant\":\"acme\",\"fromRegion\":\"us-east\",\"toRegion\":\"eu-west\","
                + "\"state\":\"requested\",\"active\":true,\"cancelRequested\":false,\"requestedAt\":1700000000000,"
                + "\"updatedAt\":1700000000000,\"timeoutMs\":30000,\"placementEpoch\":0,\"pauseFence\":\"\","
                + "\"pausedAt\":-1,\"remainingEntries\":-1,\"entriesPerSecond\":0.0,\"reason\":\"requested by admin"
                + " API on " + node() + "\"}", response.body());
        assertTrue(header(response, "Content-Type").startsWith("application/json"));

        List<FakeMigrations.Call> starts = h.migrations.calls("start");
        assertEquals(1, starts.size());
        assertEquals("acme", starts.get(0).subject());
        assertEquals("eu-west", starts.get(0).target());
        assertEquals("admin API on " + node(), starts.get(0).requestedBy());
        // The blocking command ran on the router's migration threads, not on an HTTP thread.
        assertTrue(starts.get(0).thread().startsWith("meridian-router-migrations-us-east-"), starts.get(0).thread());
        assertEquals(1.0, counted(MigrationOp.START, MigrationOutcome.OK));
    }

    @Test
    void shouldStartWithoutDryRunField() {
        HttpResponse<String> response = h.admin("POST", MIGRATE, "{\"to_region\":\"ap-south\"}");

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("ap-south", json(response).get("toRegion").asText());
        assertEquals(1, h.migrations.calls("start").size());
        assertTrue(h.migrations.calls("plan").isEmpty());
    }

    // ---- dry run

    @Test
    void shouldAnswerADryRunWithThePlanAndStartNothing() {
        HttpResponse<String> response = h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":true}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("", header(response, "Location"));
        JsonNode plan = json(response);
        assertEquals("acme", plan.get("tenant").asText());
        assertEquals("us-east", plan.get("fromRegion").asText());
        assertEquals("eu-west", plan.get("toRegion").asText());
        assertTrue(plan.get("valid").asBoolean());
        assertEquals("", plan.get("errorCode").asText());
        assertEquals("validate,pause,drain,switch", String.join(",", plan.get("steps").findValuesAsText("name")));
        assertEquals(2, plan.get("targetLagEntries").asLong());
        assertEquals(1_200, plan.get("estimatedDrainMs").asLong());
        assertEquals(5_000, plan.get("pauseBudgetMs").asLong());
        assertEquals(false, plan.get("overPauseBudget").asBoolean());

        assertEquals(1, h.migrations.calls("plan").size());
        assertTrue(h.migrations.calls("start").isEmpty(), "a dry run starts nothing");
        assertTrue(h.migrations.all().isEmpty(), "a dry run writes nothing");
        assertEquals(1.0, counted(MigrationOp.DRY_RUN, MigrationOutcome.OK));
        assertEquals(0.0, counted(MigrationOp.START, MigrationOutcome.OK));
    }

    @Test
    void shouldAnswerAPlanThatWouldBeRefusedWith200AndSayWhy() {
        h.migrations.plan = FakeMigrations.plan("acme", "us-east", "eu-west", false);

        HttpResponse<String> response = h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":true}");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode plan = json(response);
        assertEquals(false, plan.get("valid").asBoolean());
        assertEquals("target_lagging", plan.get("errorCode").asText());
        assertTrue(plan.get("problem").asText().contains("caught up"), plan.toString());
        assertEquals(true, plan.get("overPauseBudget").asBoolean());
        assertTrue(h.migrations.all().isEmpty());
    }

    // ---- bad requests: refused here, nothing reaches the migrations

    @Test
    void shouldRejectBadMigrateBodiesWithoutCallingTheMigrations() {
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"force\":true}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"toRegion\":\"eu-west\",\"to_region\":\"eu-west\"}"), 400,
                "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"dry_run\":true}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":5}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":null}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":[\"eu-west\"]}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":\"yes\"}"), 400,
                "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":1}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"dry_run\":null}"), 400,
                "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "[\"eu-west\"]"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"US East\"}"), 400, "invalid_migration");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":"), 400, "malformed_json");
        assertError(h.admin("POST", MIGRATE, ""), 400, "malformed_json");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"to_region\":\"ap-south\"}"), 400,
                "malformed_json");
        HttpResponse<String> unknown = h.admin("POST", MIGRATE, "{\"to_region\":\"mars\"}");
        assertError(unknown, 400, "unknown_region");
        assertTrue(message(unknown).contains("mars") && message(unknown).contains("eu-west"), message(unknown));
        assertError(h.admin("POST", "/admin/tenants/Not!Valid/migrate", START_BODY), 400, "invalid_tenant");
        assertError(h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"pad\":\"" + "x".repeat(2000) + "\"}"),
                413, "body_too_large");
        assertError(h.admin("GET", MIGRATE, null), 405, "method_not_allowed");

        HttpResponse<String> unknownField = h.admin("POST", MIGRATE, "{\"to_region\":\"eu-west\",\"force\":true}");
        assertTrue(message(unknownField).contains("force") && message(unknownField).contains("to_region"),
                message(unknownField));
        assertTrue(h.migrations.calls.isEmpty(), h.migrations.calls.toString());
    }

    @Test
    void shouldNeedTheAdminTokenOnEveryMigrationEndpoint() {
        h.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west", MigrationState.DRAINING));

        assertError(h.send(h.request(MIGRATE).POST(HttpRequest.BodyPublishers.ofString(START_BODY)).build()), 401,
                "unauthorized");
        assertError(h.send(h.request(MIGRATE).header("Authorization", "Bearer wrong")
                .POST(HttpRequest.BodyPublishers.ofString(START_BODY)).build()), 401, "unauthorized");
        assertError(h.get("/admin/migrations/m-7"), 401, "unauthorized");
        assertError(h.get(LIST), 401, "unauthorized");
        assertError(h.send(h.request("/admin/migrations/m-7/cancel").POST(HttpRequest.BodyPublishers.noBody())
                .build()), 401, "unauthorized");

        assertTrue(h.migrations.calls.isEmpty(), h.migrations.calls.toString());
        assertEquals(MigrationState.DRAINING, h.migrations.all().get(0).state());
    }

    // ---- get and list

    @Test
    void shouldGetOneMigration() {
        h.migrations.given(new Migration("m-7", "acme", "us-east", "eu-west", MigrationState.DRAINING, 30_000, 1_000,
                2_000, 5, "3:41", 1_500, false, 12, 250.0, "draining to 3:41"));

        HttpResponse<String> response = h.admin("GET", "/admin/migrations/m-7", null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"id\":\"m-7\",\"tenant\":\"acme\",\"fromRegion\":\"us-east\",\"toRegion\":\"eu-west\","
                + "\"state\":\"draining\",\"active\":true,\"cancelRequested\":false,\"requestedAt\":1000,"
                + "\"updatedAt\":2000,\"timeoutMs\":30000,\"placementEpoch\":5,\"pauseFence\":\"3:41\",\"pausedAt\":1500,"
                + "\"remainingEntries\":12,\"entriesPerSecond\":250.0,\"reason\":\"draining to 3:41\"}",
                response.body());
        assertEquals(1.0, counted(MigrationOp.GET, MigrationOutcome.OK));
    }

    @Test
    void shouldAnswerMigrationNotFoundForAnUnknownOrImpossibleId() {
        HttpResponse<String> unknown = h.admin("GET", "/admin/migrations/nope", null);
        assertError(unknown, 404, "migration_not_found");
        assertEquals("nope", json(unknown).at("/error/migrationId").asText());
        assertTrue(message(unknown).contains("/migrations"), message(unknown));
        assertEquals(1, h.migrations.calls("get").size());
        assertEquals(1.0, counted(MigrationOp.GET, MigrationOutcome.REJECTED));

        // Not an id the executor could have made: answered here.
        assertError(h.admin("GET", "/admin/migrations/" + "a".repeat(200), null), 404, "migration_not_found");
        assertError(h.admin("GET", "/admin/migrations/a%20b", null), 404, "migration_not_found");
        assertError(h.admin("POST", "/admin/migrations/a%20b/cancel", null), 404, "migration_not_found");
        assertEquals(1, h.migrations.calls.size(), h.migrations.calls.toString());
    }

    @Test
    void shouldListATenantsMigrationsOldestFirst() {
        h.migrations.given(FakeMigrations.migration("m-1", "acme", "us-east", "eu-west", MigrationState.COMPLETED));
        h.migrations.given(FakeMigrations.migration("m-2", "other", "us-east", "eu-west", MigrationState.FAILED));
        h.migrations.given(FakeMigrations.migration("m-3", "acme", "eu-west", "us-east", MigrationState.DRAINING));

        HttpResponse<String> response = h.admin("GET", LIST, null);

        assertEquals(200, response.statusCode(), response.body());
        JsonNode migrations = json(response).get("migrations");
        assertEquals(2, migrations.size(), response.body());
        assertEquals("m-1", migrations.get(0).get("id").asText());
        assertEquals("completed", migrations.get(0).get("state").asText());
        assertEquals(false, migrations.get(0).get("active").asBoolean());
        assertEquals("m-3", migrations.get(1).get("id").asText());
        assertEquals("draining", migrations.get(1).get("state").asText());

        HttpResponse<String> none = h.admin("GET", "/admin/tenants/never-moved/migrations", null);
        assertEquals(200, none.statusCode(), none.body());
        assertEquals("{\"migrations\":[]}", none.body());
        assertError(h.admin("GET", "/admin/tenants/Not!Valid/migrations", null), 400, "invalid_tenant");
        assertEquals(2.0, counted(MigrationOp.LIST, MigrationOutcome.OK));
    }

    // ---- cancel

    @Test
    void shouldCancelAMigrationIdempotently() {
        h.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west", MigrationState.DRAINING));

        HttpResponse<String> first = h.admin("POST", "/admin/migrations/m-7/cancel", null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("cancelled", json(first).get("state").asText());
        assertEquals(true, json(first).get("cancelRequested").asBoolean());
        assertEquals(false, json(first).get("active").asBoolean());
        assertEquals("admin API on " + node(), h.migrations.calls("cancel").get(0).requestedBy());

        HttpResponse<String> again = h.admin("POST", "/admin/migrations/m-7/cancel", "{}");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(first.body(), again.body(), "idempotent");
        assertEquals(2.0, counted(MigrationOp.CANCEL, MigrationOutcome.OK));
    }

    @Test
    void shouldAnswer202WhenTheCancelIsRecordedButNotYetRolledBack() {
        h.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west", MigrationState.DRAINING));
        h.migrations.cancelPending = true;

        HttpResponse<String> response = h.admin("POST", "/admin/migrations/m-7/cancel", null);

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("/admin/migrations/m-7", header(response, "Location"));
        assertEquals("draining", json(response).get("state").asText());
        assertEquals(true, json(response).get("cancelRequested").asBoolean());
    }

    @Test
    void shouldRefuseToCancelAfterTheSwitchAndUnknownMigrations() {
        h.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west", MigrationState.SWITCHED));
        h.migrations.given(FakeMigrations.migration("m-8", "acme", "us-east", "eu-west", MigrationState.COMPLETED));

        HttpResponse<String> switched = h.admin("POST", "/admin/migrations/m-7/cancel", null);
        assertError(switched, 409, "already_switched");
        assertEquals("", header(switched, "Retry-After"), "not retriable");
        assertTrue(message(switched).contains("migrate the tenant back"), message(switched));
        assertEquals("acme", json(switched).at("/error/tenant").asText());
        assertEquals("m-7", json(switched).at("/error/migrationId").asText());
        assertError(h.admin("POST", "/admin/migrations/m-8/cancel", null), 409, "already_switched");

        HttpResponse<String> unknown = h.admin("POST", "/admin/migrations/m-9/cancel", null);
        assertError(unknown, 404, "migration_not_found");
        assertTrue(message(unknown).contains("GET /admin/tenants/"), message(unknown));
        assertEquals(3.0, counted(MigrationOp.CANCEL, MigrationOutcome.REJECTED));
    }

    @Test
    void shouldRefuseACancelWithABody() {
        h.migrations.given(FakeMigrations.migration("m-7", "acme", "us-east", "eu-west", MigrationState.DRAINING));

        assertError(h.admin("POST", "/admin/migrations/m-7/cancel", "{\"reason\":\"oops\"}"), 400,
                "invalid_migration");
        assertError(h.admin("POST", "/admin/migrations/m-7/cancel", "{\"reason\":"), 400, "malformed_json");
        assertError(h.admin("GET", "/admin/migrations/m-7/cancel", null), 405, "method_not_allowed");
        assertTrue(h.migrations.calls.isEmpty(), h.migrations.calls.toString());
    }

    // ---- every refusal of the migrations, with its status, code and Retry-After

    @Test
    void shouldAnswerEveryMigrationErrorWithItsStatusCodeAndRetryAfterWhenRetriable() {
        List<MigrationException> errors = List.of(
                new TenantNotFoundException("acme"),
                new UnknownRegionException("acme", "eu-west", List.of("us-east")),
                new SameRegionException("acme", "eu-west"),
                new NotAReplicaException("acme", "eu-west", List.of("us-east")),
                new TargetUnhealthyException("acme", "", "eu-west", "suspect"),
                new TargetLaggingException("acme", "", "eu-west", 900, 100),
                new MigrationInProgressException("acme", "m-3", "draining"),
                new MigrationsUnavailableException("the controller is rebuilding the migrations: retry in a moment"));
        for (MigrationException error : errors) {
            h.migrations.failure = error;
            for (String body : List.of(START_BODY, "{\"to_region\":\"eu-west\",\"dry_run\":true}")) {
                HttpResponse<String> response = h.admin("POST", MIGRATE, body);

                assertError(response, error.status(), error.code());
                assertTrue(message(response).startsWith(error.getMessage()), message(response));
                // Retry-After fits the case: retry.after.seconds (2 here) is the floor of each delay.
                String expected = switch (error.code()) {
                    case "target_unhealthy" -> "10";
                    case "target_lagging", "migration_in_progress" -> "5";
                    default -> error.retriable() ? "2" : "";
                };
                assertEquals(expected, header(response, "Retry-After"), error.code());
                assertEquals(error.tenant().isEmpty() ? "acme" : error.tenant(),
                        json(response).at("/error/tenant").asText(), response.body());
            }
        }
        h.migrations.failure = new MigrationInProgressException("acme", "m-3", "draining");
        assertEquals("m-3", json(h.admin("POST", MIGRATE, START_BODY)).at("/error/migrationId").asText());
        assertTrue(h.migrations.all().isEmpty());
    }

    @Test
    void shouldAnswerMigrationsUnavailableOnReadsWhileTheControllerRebuilds() {
        h.migrations.failure = new MigrationsUnavailableException("not rebuilt yet: retry in a few seconds");

        for (String path : List.of("/admin/migrations/m-1", LIST)) {
            HttpResponse<String> response = h.admin("GET", path, null);
            assertError(response, 503, "migrations_unavailable");
            assertEquals("2", header(response, "Retry-After"));
        }
        assertError(h.admin("POST", "/admin/migrations/m-1/cancel", null), 503, "migrations_unavailable");
        assertEquals(1.0, counted(MigrationOp.GET, MigrationOutcome.UNAVAILABLE));
        assertEquals(1.0, counted(MigrationOp.LIST, MigrationOutcome.UNAVAILABLE));
        assertEquals(1.0, counted(MigrationOp.CANCEL, MigrationOutcome.UNAVAILABLE));
    }

    @Test
    void shouldAnswerNoControllerWhenTheMigrationExecutorIsNotActiveHere() {
        // The election says this node is the controller, but its migration executor is not (yet) active.
        h.migrations.controller = false;

        for (HttpResponse<String> response : List.of(h.admin("POST", MIGRATE, START_BODY),
                h.admin("GET", "/admin/migrations/m-1", null), h.admin("GET", LIST, null))) {
            assertError(response, 503, "no_controller");
            assertEquals("10", header(response, "Retry-After"), "about a coordination session");
            assertTrue(message(response).contains("nothing was changed"), message(response));
        }
        h.migrations.controller = true;
        h.migrations.failure = new ControllerFencedException("fenced by epoch 4 (test)", 3, null);
        assertError(h.admin("POST", MIGRATE, START_BODY), 503, "no_controller");
        assertEquals(2.0, counted(MigrationOp.START, MigrationOutcome.UNAVAILABLE));
    }

    @Test
    void shouldAnswerKafkaUnavailableWhenTheControllerCannotCommitOrDoesNotAnswerInTime() {
        h.migrations.failure = new ControllerWriteException("transaction timed out (test)", 3, null);
        HttpResponse<String> notCommitted = h.admin("POST", MIGRATE, START_BODY);
        assertError(notCommitted, 503, "kafka_unavailable");
        assertEquals("5", header(notCommitted, "Retry-After"));

        h.migrations.failure = new IllegalStateException("the controller did not start within 60000 ms; the request"
                + " may still take effect: check the migrations of the tenant before retrying",
                new TimeoutException());
        HttpResponse<String> slow = h.admin("POST", MIGRATE, START_BODY);
        assertError(slow, 503, "kafka_unavailable");
        assertEquals("5", header(slow, "Retry-After"));
        assertTrue(message(slow).contains("GET /admin/tenants/acme/migrations"), message(slow));

        HttpResponse<String> slowCancel = h.admin("POST", "/admin/migrations/m-4/cancel", null);
        assertError(slowCancel, 503, "kafka_unavailable");
        assertTrue(message(slowCancel).contains("GET /admin/migrations/m-4"), message(slowCancel));
        assertEquals(2.0, counted(MigrationOp.START, MigrationOutcome.UNAVAILABLE));
    }

    @Test
    void shouldAnswerInternalForABugAndPassAnUnknownMigrationCodeThrough() {
        h.migrations.failure = new IllegalStateException("a bug (test)");
        HttpResponse<String> bug = h.admin("POST", MIGRATE, START_BODY);
        assertError(bug, 500, "internal");
        assertFalse(bug.body().contains("a bug"), bug.body());
        assertEquals(1.0, counted(MigrationOp.START, MigrationOutcome.FAILED));

        // A code from a newer migration module: answered as the module says, not as a 500.
        h.migrations.failure = new MigrationException("tenant_frozen", 409, "acme", "", "tenant 'acme' is frozen:"
                + " unfreeze it first");
        HttpResponse<String> newer = h.admin("POST", MIGRATE, START_BODY);
        assertError(newer, 409, "tenant_frozen");
        assertEquals("tenant 'acme' is frozen: unfreeze it first", message(newer));
        assertEquals("", header(newer, "Retry-After"));
    }

    @Test
    void shouldCountEveryOpAndOutcomeUpFrontWithoutTenants() {
        for (MigrationOp op : MigrationOp.values()) {
            for (MigrationOutcome outcome : MigrationOutcome.values()) {
                assertEquals(0.0, counted(op, outcome), op + "/" + outcome);
            }
        }
        h.registry.find(RouterMetrics.MIGRATION_REQUESTS).counters().forEach(c -> assertEquals(
                List.of(RouterMetrics.TAG_OP, RouterMetrics.TAG_OUTCOME),
                c.getId().getTags().stream().map(t -> t.getKey()).sorted().toList()));
    }
}
