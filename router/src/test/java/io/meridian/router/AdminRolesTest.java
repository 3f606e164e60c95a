package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.serde.Json;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A read-only admin token reads every admin endpoint and changes nothing, on a router without Kafka. */
class AdminRolesTest {
    private static final String READ_TOKEN = "viewer-token";
    private final StubRouter router = StubRouter.started(Map.of(SecurityConfigs.ADMIN_READ_TOKEN, READ_TOKEN));

    @AfterEach
    void close() {
        router.close();
    }

    private static String code(HttpResponse<String> response) {
        return Json.readTree(response.body().getBytes()).path("error").path("code").asText();
    }

    @Test
    void shouldLetAReadOnlyTokenGetAdminEndpoints() {
        for (String path : new String[] {"/admin/tenants", "/admin/regions", "/admin/replication/election",
                "/admin/migrations?state=active"}) {
            HttpResponse<String> response = router.send("GET", path, READ_TOKEN, null);
            assertEquals(200, response.statusCode(), path + ": " + response.body());
        }
    }

    @Test
    void shouldRefuseEveryChangeWithAReadOnlyTokenWith403AndChangeNothing() {
        String[][] changes = {
                {"PUT", "/admin/tenants/acme/placement", "{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}"},
                {"POST", "/admin/tenants/acme/migrate", "{\"toRegion\":\"eu-west\"}"},
                {"POST", "/admin/replication/failover", "{\"region\":\"eu-west\"}"},
                {"POST", "/admin/regions/eu-west/pause", null},
                {"POST", "/admin/replication/automatic-failover/pause", null},
                {"DELETE", "/admin/tenants/acme/sync/eu-west", null}};
        for (String[] change : changes) {
            HttpResponse<String> response = router.send(change[0], change[1], READ_TOKEN, change[2]);
            assertEquals(403, response.statusCode(), change[0] + " " + change[1] + ": " + response.body());
            assertEquals("read_only_token", code(response));
        }
        assertTrue(router.migrations.calls("start").isEmpty(), "nothing reached the migrations");
        assertTrue(router.controlPlane.published.isEmpty(), "nothing was published");
        // The full token still may.
        HttpResponse<String> full = router.send("POST", "/admin/tenants/acme/migrate", RouterHarness.TOKEN,
                "{\"toRegion\":\"eu-west\",\"dryRun\":true}");
        assertEquals(200, full.statusCode(), full.body());
    }
}
