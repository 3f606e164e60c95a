package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridianctl sync …} and {@code region reseed} against a stub node. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncCommandsTest {
    static final String CAUGHT_UP = "{\"sync\":{\"tenant\":\"acme\",\"region\":\"eu-west\",\"state\":\"caught_up\","
            + "\"documents_copied\":100000,\"documents_total\":100000,\"bytes_copied\":10485760,"
            + "\"bytes_total\":10485760,\"documents_remaining\":0,\"documents_per_second\":25000.0,"
            + "\"eta_seconds\":0},\"syncing\":false,\"placement_epoch\":5}";

    @TempDir
    Path home;

    private StubNode node;
    private Cli cli;

    @BeforeEach
    void start() {
        node = new StubNode();
        cli = new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "secret"), home);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void syncStatusWatchPrintsAProgressBarUntilTheRegionCaughtUp() {
        node.answer("GET", "/admin/tenants/acme/sync", 200, CAUGHT_UP);

        Cli.Result result = cli.run("sync", "status", "acme", "--region", "eu-west", "--watch");

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().startsWith(MigrationWatch.bar(1.0)), result::toString);
        assertTrue(result.out().contains("100000/100000 docs, 10.0 MiB/10.0 MiB, 25000 docs/s, ETA 0 s (caught_up"),
                result::toString);
        assertEquals("Bearer secret", node.onlyRequest().authorization());
    }

    @Test
    void syncCancelDeletesTheRegionsSync() {
        node.answer("DELETE", "/admin/tenants/acme/sync/eu-west", 200, CommandsTest.ACME);

        Cli.Result result = cli.run("sync", "cancel", "acme", "eu-west");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("DELETE", node.onlyRequest().method());
        assertTrue(result.out().contains("cancelled eu-west's sync of acme"), result::toString);
    }

    @Test
    void regionReseedPostsAndReportsTheTenantsOrTheRefusal() {
        node.answer("POST", "/admin/regions/eu-west/reseed", 202,
                "{\"region\":\"eu-west\",\"tenants\":[\"acme\",\"globex\"],\"already_syncing\":[]}");
        Cli.Result result = cli.run("region", "reseed", "eu-west");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("re-seeding eu-west: 2 tenant(s) syncing again"), result::toString);

        node.answer("POST", "/admin/regions/ap-south/reseed", 409, "{\"error\":{\"code\":\"region_holds_no_tenants\","
                + "\"message\":\"region ap-south holds no tenant: there is nothing to re-seed\"}}");
        Cli.Result refused = cli.run("region", "reseed", "ap-south");
        assertEquals(ExitCode.SERVER_ERROR, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("region_holds_no_tenants"), refused::toString);
    }
}
