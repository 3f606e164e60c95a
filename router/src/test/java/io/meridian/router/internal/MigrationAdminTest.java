package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.migration.AlreadySwitchedException;
import io.meridian.migration.MigrationException;
import io.meridian.migration.MigrationInProgressException;
import io.meridian.migration.MigrationNotFoundException;
import io.meridian.migration.MigrationsUnavailableException;
import io.meridian.migration.NotAReplicaException;
import io.meridian.migration.SameRegionException;
import io.meridian.migration.TargetLaggingException;
import io.meridian.migration.TargetUnhealthyException;
import io.meridian.migration.TenantNotFoundException;
import io.meridian.migration.TooManyMigrationsException;
import io.meridian.migration.UnknownRegionException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How what the migrations throw becomes the API's answer. */
class MigrationAdminTest {
    /** One of every error the migration module declares. */
    static final List<MigrationException> EVERY_MIGRATION_ERROR = List.of(
            new TenantNotFoundException("acme"),
            new UnknownRegionException("acme", "mars", List.of("us-east")),
            new SameRegionException("acme", "us-east"),
            new NotAReplicaException("acme", "ap-south", List.of("us-east")),
            new TargetUnhealthyException("acme", "", "eu-west", "suspect"),
            new TargetLaggingException("acme", "", "eu-west", 900, 100),
            new MigrationInProgressException("acme", "m-3", "draining"),
            new TooManyMigrationsException("acme", "us-east", 8, 8),
            new MigrationNotFoundException("m-9"),
            new AlreadySwitchedException("acme", "m-3", "eu-west"),
            new MigrationsUnavailableException("rebuilding: retry in a few seconds"));

    @Test
    void shouldKnowEveryMigrationErrorCodeWithItsStatusAndRetriability() {
        for (MigrationException error : EVERY_MIGRATION_ERROR) {
            ErrorCode code = ErrorCode.fromWire(error.code()).orElseThrow(
                    () -> new AssertionError("ErrorCode lacks the migration code " + error.code()));
            assertEquals(error.status(), code.status(), error.code());
            assertEquals(error.retriable(), code.retriable(), error.code());

            ApiException answer = MigrationAdmin.translate(error, "acme", "").orElseThrow();
            assertEquals(code, answer.code());
            assertTrue(answer.getMessage().startsWith(error.getMessage()), answer.getMessage());
            assertEquals(error.retriable(), answer instanceof ApiException.Unavailable, error.code());
        }
    }

    @Test
    void shouldSayWhatToDoWhereTheMigrationsMessageDoesNot() {
        String notFound = MigrationAdmin.translate(new MigrationNotFoundException("m-9"), null, "m-9").orElseThrow()
                .getMessage();
        assertTrue(notFound.contains("GET /admin/tenants/{tenant}/migrations"), notFound);
        String unknown = MigrationAdmin.translate(new UnknownRegionException("acme", "mars", List.of("us-east")),
                "acme", "").orElseThrow().getMessage();
        assertTrue(unknown.endsWith("migrate to one of them"), unknown);
    }

    @Test
    void shouldTranslateControllerFailuresAndDutiesTimeouts() {
        assertEquals(ErrorCode.NO_CONTROLLER, MigrationAdmin.translate(new NotControllerException("no"), "acme", "")
                .orElseThrow().code());
        assertEquals(ErrorCode.KAFKA_UNAVAILABLE, MigrationAdmin.translate(
                new ControllerWriteException("down", 3, null), "acme", "").orElseThrow().code());
        ApiException slow = MigrationAdmin.translate(new IllegalStateException("the controller did not cancel"
                + " within 60000 ms", new TimeoutException()), null, "m-4").orElseThrow();
        assertEquals(ErrorCode.KAFKA_UNAVAILABLE, slow.code());
        assertTrue(slow.getMessage().contains("GET /admin/migrations/m-4"), slow.getMessage());
        assertEquals(ErrorCode.KAFKA_UNAVAILABLE, MigrationAdmin.translate(new IllegalStateException("interrupted",
                new InterruptedException()), "acme", "").orElseThrow().code());

        assertFalse(MigrationAdmin.translate(new IllegalStateException("a bug"), "acme", "").isPresent());
        assertFalse(MigrationAdmin.translate(new NullPointerException(), "acme", "").isPresent());
        assertFalse(MigrationAdmin.translate(new MigrationException("tenant_frozen", 409, "acme", "", "frozen"),
                "acme", "").isPresent(), "a code the router does not know");
    }

    @Test
    void shouldEncodeTheIdInTheLocation() {
        assertEquals("/admin/migrations/3f2b-11", MigrationAdmin.location("3f2b-11"));
        assertEquals("/admin/migrations/a%20b%2Fc", MigrationAdmin.location("a b/c"));
    }
}
