package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.router.RouterMetrics.ForwardOutcome;
import io.meridian.router.RouterMetrics.MigrationOp;
import io.meridian.router.RouterMetrics.MigrationOutcome;
import io.meridian.router.RouterMetrics.RedirectReason;
import io.meridian.router.RouterMetrics.WriteOutcome;
import io.meridian.router.internal.AdminApi;
import io.meridian.router.internal.ApiKeyApi;
import io.meridian.router.internal.AppliedApi;
import io.meridian.router.internal.DataApi;
import io.meridian.router.internal.ErrorCode;
import io.meridian.router.internal.FailbackApi;
import io.meridian.router.internal.FailoverPauseApi;
import io.meridian.router.internal.Headers;
import io.meridian.router.internal.RegionReadApi;
import io.meridian.router.internal.HealthApi;
import io.meridian.router.internal.MigrationApi;
import io.meridian.router.internal.OpenApiDocument;
import io.meridian.router.internal.ReplicationApi;
import io.meridian.router.internal.SyncApi;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** API.md names everything the code answers with, so the reference cannot drift from the code. */
class ApiDocumentationTest {
    private static final String DOC = read();

    private static String read() {
        try {
            return Files.readString(Path.of("API.md"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("API.md must sit in the router module's directory", e);
        }
    }

    private static void assertDocumented(String what) {
        assertTrue(DOC.contains("`" + what + "`"), "API.md does not mention `" + what + "`");
    }

    @Test
    void shouldDocumentEveryErrorCode() {
        for (ErrorCode code : ErrorCode.values()) {
            assertDocumented(code.wireName());
            assertTrue(DOC.contains("| " + code.status() + " | `" + code.wireName() + "`"),
                    code.wireName() + " is documented with another status than " + code.status());
            if (code.retriable() && code.status() != 503) {
                assertTrue(DOC.contains("| " + code.status() + " | `" + code.wireName() + "` | (`Retry-After`)"),
                        code.wireName() + " is retriable: its row must begin with (`Retry-After`)");
            }
        }
    }

    @Test
    void shouldDocumentEveryRouteAndHeader() {
        for (String path : List.of(DataApi.DOC_PATH, AdminApi.PLACEMENT_PATH, AdminApi.TENANTS_PATH,
                ReplicationApi.ELECTION_PATH, ReplicationApi.FAILOVER_PATH, ReplicationApi.HEALTH_PATH,
                MigrationApi.MIGRATE_PATH, MigrationApi.TENANT_MIGRATIONS_PATH, MigrationApi.MIGRATION_PATH,
                MigrationApi.CANCEL_PATH, AppliedApi.APPLIED_PATH, RegionReadApi.PATH, HealthApi.LIVE_PATH,
                HealthApi.READY_PATH, HealthApi.METRICS_PATH, SyncApi.SYNC_PATH, SyncApi.SYNCS_PATH,
                SyncApi.CANCEL_PATH, SyncApi.CAUGHT_UP_PATH, SyncApi.RESEED_PATH, SyncApi.DIGEST_PATH, FailbackApi.FAILBACKS_PATH,
                FailbackApi.TRIGGER_PATH, FailbackApi.CANCEL_PATH, FailoverPauseApi.PATH, FailoverPauseApi.PAUSE_PATH,
                FailoverPauseApi.RESUME_PATH, MigrationApi.MIGRATIONS_PATH, OpenApiDocument.JSON_PATH,
                OpenApiDocument.YAML_PATH, ApiKeyApi.KEYS_PATH, ApiKeyApi.KEY_PATH)) {
            assertDocumented(path);
        }
        for (String header : constants(Headers.class)) {
            assertDocumented(header);
        }
    }

    @Test
    void shouldDocumentEveryMeterAndTagValue() {
        RouterMetrics.NAMES.forEach(ApiDocumentationTest::assertDocumented);
        IngestMetrics.NAMES.forEach(ApiDocumentationTest::assertDocumented);
        for (IngestMetrics.Outcome outcome : IngestMetrics.Outcome.values()) {
            assertDocumented(outcome.tagValue());
        }
        for (RedirectReason reason : RedirectReason.values()) {
            assertDocumented(reason.tagValue());
        }
        for (WriteOutcome outcome : WriteOutcome.values()) {
            assertDocumented(outcome.tagValue());
        }
        for (ForwardOutcome outcome : ForwardOutcome.values()) {
            assertDocumented(outcome.tagValue());
        }
        for (RouterMetrics.OwnerForwardOutcome outcome : RouterMetrics.OwnerForwardOutcome.values()) {
            assertDocumented(outcome.tagValue());
        }
        for (RouterMetrics.AuthRejection reason : RouterMetrics.AuthRejection.values()) {
            assertDocumented(reason.tagValue());
        }
        for (io.meridian.router.internal.DataKeys.Source source : io.meridian.router.internal.DataKeys.Source.values()) {
            assertDocumented(source.wireName());
        }
        for (MigrationOp op : MigrationOp.values()) {
            assertDocumented(op.tagValue());
        }
        for (MigrationOutcome outcome : MigrationOutcome.values()) {
            assertDocumented(outcome.tagValue());
        }
    }

    private static List<String> constants(Class<?> type) {
        List<String> values = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    values.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return values;
    }
}
