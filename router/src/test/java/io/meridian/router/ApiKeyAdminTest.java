package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.serde.Json;
import io.meridian.router.internal.ApiKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /admin/api-keys} on one router whose keys are in memory ({@link StubRouter}: no tenant has a placement, so a
 * data request that got through answers {@code 404 tenant_not_found}): bad input, roles, the file's keys, paging.
 */
class ApiKeyAdminTest {
    private static final String READ_TOKEN = "viewer-token";

    private static JsonNode json(HttpResponse<String> response) {
        return Json.readTree(response.body().getBytes());
    }

    private static String code(HttpResponse<String> response) {
        return json(response).path("error").path("code").asText();
    }

    @Test
    void shouldRefuseBadInputWithItsOwnCodeAndCreateNothing() {
        try (StubRouter router = StubRouter.started(Map.of())) {
            String[][] bad = {
                    {"{\"name\":\"a\",\"tenants\":[]}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"a\"}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"a\",\"tenants\":[\"acme\",\"*\"]}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"a\",\"tenants\":[\"Acme!\"]}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"a\",\"tenants\":[\"acme\",\"acme\"]}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"a\",\"tenants\":[1]}", "400", "invalid_api_key_tenants"},
                    {"{\"name\":\"Bad Name\",\"tenants\":[\"acme\"]}", "400", "invalid_api_key_name"},
                    {"{\"tenants\":[\"acme\"]}", "400", "invalid_api_key_name"},
                    {"{\"name\":\"a\",\"tenants\":[\"acme\"],\"extra\":1}", "400", "invalid_api_key_request"},
                    {"{\"name\":\"a\",\"tenants\":[\"acme\"],\"createdBy\":7}", "400", "invalid_api_key_request"},
                    {"not json", "400", "malformed_json"}};
            for (String[] request : bad) {
                HttpResponse<String> response = router.send("POST", "/admin/api-keys", RouterHarness.TOKEN,
                        request[0]);
                assertEquals(Integer.parseInt(request[1]), response.statusCode(), request[0] + ": " + response.body());
                assertEquals(request[2], code(response), request[0]);
            }
            HttpResponse<String> none = router.send("GET", "/admin/api-keys", RouterHarness.TOKEN, null);
            assertEquals(0, json(none).path("apiKeys").size(), none.body());
            HttpResponse<String> unknown = router.send("DELETE", "/admin/api-keys/nope", RouterHarness.TOKEN, null);
            assertEquals(404, unknown.statusCode());
            assertEquals("api_key_not_found", code(unknown));
            assertEquals(401, router.send("POST", "/admin/api-keys", null, "{}").statusCode());
        }
    }

    @Test
    void shouldLetAReadOnlyTokenListButNotCreateOrRevoke() {
        try (StubRouter router = StubRouter.started(Map.of(SecurityConfigs.ADMIN_READ_TOKEN, READ_TOKEN))) {
            assertEquals(201, router.send("POST", "/admin/api-keys", RouterHarness.TOKEN,
                    "{\"name\":\"app\",\"tenants\":[\"acme\"]}").statusCode());
            HttpResponse<String> list = router.send("GET", "/admin/api-keys", READ_TOKEN, null);
            assertEquals(200, list.statusCode(), list.body());
            assertEquals("app", json(list).path("apiKeys").path(0).path("name").asText());
            for (String[] change : new String[][] {{"POST", "/admin/api-keys", "{\"name\":\"b\",\"tenants\":[\"x\"]}"},
                    {"DELETE", "/admin/api-keys/app", null}}) {
                HttpResponse<String> refused = router.send(change[0], change[1], READ_TOKEN, change[2]);
                assertEquals(403, refused.statusCode(), refused.body());
                assertEquals("read_only_token", code(refused));
            }
            assertEquals(1, json(router.send("GET", "/admin/api-keys", READ_TOKEN, null)).path("apiKeys").size());
            assertTrue(router.scrape().contains(
                    "meridian_router_auth_rejections_total{api=\"admin\",reason=\"read_only\"} 2.0"), router.scrape());
        }
    }

    @Test
    void shouldServeTheFilesKeysAndTheAdminApisTogetherAndListThemBySourceInPages(@TempDir Path dir)
            throws IOException {
        ApiKeys.NewKey fromFile = ApiKeys.newKey(List.of("acme"), "file-app");
        Path keys = dir.resolve("keys");
        Files.writeString(keys, fromFile.line() + "\n");
        try (StubRouter router = StubRouter.started(Map.of(SecurityConfigs.DATA_AUTH_ENABLED, "true",
                SecurityConfigs.DATA_API_KEYS_FILE, keys.toString()))) {
            HttpResponse<String> created = router.send("POST", "/admin/api-keys", RouterHarness.TOKEN,
                    "{\"name\":\"admin-app\",\"tenants\":[\"*\"]}");
            assertEquals(201, created.statusCode(), created.body());
            String adminKey = json(created).path("key").asText();
            assertEquals("tenant_not_found", code(router.send("GET", "/v1/tenants/globex/docs/k", adminKey, null)),
                    "a key for '*' reads any tenant");
            assertEquals("tenant_not_found", code(router.send("GET", "/v1/tenants/acme/docs/k", fromFile.key(),
                    null)), "the file's keys keep working");
            assertEquals(403, router.send("GET", "/v1/tenants/globex/docs/k", fromFile.key(), null).statusCode());

            HttpResponse<String> taken = router.send("POST", "/admin/api-keys", RouterHarness.TOKEN,
                    "{\"name\":\"file-app\",\"tenants\":[\"acme\"]}");
            assertEquals(409, taken.statusCode(), taken.body());
            assertEquals("api_key_exists", code(taken));
            HttpResponse<String> inFile = router.send("DELETE", "/admin/api-keys/file-app", RouterHarness.TOKEN, null);
            assertEquals(409, inFile.statusCode(), inFile.body());
            assertEquals("api_key_in_file", code(inFile));

            List<String> seen = new ArrayList<>();
            String path = "/admin/api-keys?limit=1";
            while (path != null) {
                HttpResponse<String> page = router.send("GET", path, RouterHarness.TOKEN, null);
                assertEquals(200, page.statusCode(), page.body());
                assertFalse(page.body().contains(adminKey) || page.body().contains(fromFile.key()), page.body());
                JsonNode item = json(page).path("apiKeys").path(0);
                seen.add(item.path("name").asText() + "/" + item.path("source").asText());
                path = json(page).hasNonNull("next") ? "/admin/api-keys?limit=1&cursor=" + json(page).get("next")
                        .asText() : null;
            }
            assertEquals(List.of("admin-app/admin", "file-app/file"), seen);
            assertTrue(router.scrape().contains("meridian_router_api_keys{source=\"file\"} 1.0"), router.scrape());
            assertTrue(router.scrape().contains("meridian_router_api_keys{source=\"admin\"} 1.0"), router.scrape());

            assertEquals(204, router.send("DELETE", "/admin/api-keys/admin-app", RouterHarness.TOKEN, null)
                    .statusCode());
            assertEquals(401, router.send("GET", "/v1/tenants/globex/docs/k", adminKey, null).statusCode());
        }
    }
}
