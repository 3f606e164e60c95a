package io.meridian.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The error codes and statuses clients rely on, and the JSON the admin API serves. */
class MigrationApiTest {

    @Test
    void shouldKeepEveryErrorCodeAndStatusStable() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("tenant_not_found", 404);
        expected.put("unknown_region", 400);
        expected.put("same_region", 400);
        expected.put("not_a_replica", 400);
        expected.put("target_unhealthy", 409);
        expected.put("target_lagging", 409);
        expected.put("migration_in_progress", 409);
        expected.put("migration_not_found", 404);
        expected.put("already_switched", 409);
        expected.put("migrations_unavailable", 503);
        List<MigrationException> all = List.of(
                new TenantNotFoundException("acme"),
                new UnknownRegionException("acme", "mars", List.of("eu-west", "us-east")),
                new SameRegionException("acme", "us-east"),
                new NotAReplicaException("acme", "ap-south", List.of("us-east", "eu-west")),
                new TargetUnhealthyException("acme", "", "eu-west", "suspect"),
                new TargetLaggingException("acme", "", "eu-west", 5_000, 1_000),
                new MigrationInProgressException("acme", "m1", "draining"),
                new MigrationNotFoundException("m9"),
                new AlreadySwitchedException("acme", "m1", "eu-west"),
                new MigrationsUnavailableException("rebuilding"));
        Map<String, Integer> actual = new LinkedHashMap<>();
        all.forEach(e -> actual.put(e.code(), e.status()));
        assertEquals(expected, actual);
        assertEquals(List.of("target_unhealthy", "target_lagging", "migration_in_progress", "migrations_unavailable"),
                all.stream().filter(MigrationException::retriable).map(MigrationException::code).toList());
        assertEquals("m1", all.get(6).migrationId());
        assertEquals("acme", all.get(8).tenant());
    }

    @Test
    void shouldServeMigrationsAndPlansAsJson() {
        Migration m = Migration.requested(new MigrationEvent.Requested("m1", "acme", "us-east", "eu-west", 30_000,
                "alice", 1_000));
        String json = new String(Json.write(m), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"state\":\"requested\""), json);
        assertTrue(json.contains("\"toRegion\":\"eu-west\""), json);

        MigrationPlan plan = new MigrationPlan("acme", "us-east", "eu-west", 4, false, "target_lagging", "lags",
                List.of(new MigrationPlan.Step("validate", "check")), 5_000, 1_000, 12.5, -1, 5_000, false, 30_000);
        String planJson = new String(Json.write(plan), StandardCharsets.UTF_8);
        assertTrue(planJson.contains("\"overPauseBudget\":false"), planJson);
        assertTrue(planJson.contains("\"steps\":[{\"name\":\"validate\""), planJson);
        assertEquals(plan, Json.read(Json.write(plan), MigrationPlan.class));
        assertFalse(planJson.contains("\"valid\":true"));
    }
}
