package io.meridian.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.serde.Json;
import io.meridian.router.internal.ApiKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-tenant API keys and rate limits on the document API, on a router without Kafka ({@link StubRouter}: no tenant
 * has a placement, so a request that got through answers {@code 404 tenant_not_found}).
 */
class DataAccessTest {
    private static String code(HttpResponse<String> response) {
        return Json.readTree(response.body().getBytes()).path("error").path("code").asText();
    }

    @Test
    void shouldLeaveTheDataApiOpenByDefault() {
        try (StubRouter router = StubRouter.started(Map.of())) {
            HttpResponse<String> read = router.send("GET", "/v1/tenants/acme/docs/k", null, null);
            assertEquals(404, read.statusCode(), read.body());
            assertEquals("tenant_not_found", code(read));
        }
    }

    @Test
    void shouldLetAKeyReadAndWriteOnlyItsTenantsAndRevokeItWhenItsLineGoes(@TempDir Path dir) throws IOException {
        ApiKeys.NewKey acme = ApiKeys.newKey(List.of("acme", "acme-eu"), "acme-app");
        ApiKeys.NewKey other = ApiKeys.newKey(List.of("globex"), "globex-app");
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# data API keys\n" + acme.line() + "\n" + other.line() + "\n");
        assertTrue(!Files.readString(keys).contains(acme.key()), "the file holds digests, never keys");
        try (StubRouter router = StubRouter.started(Map.of(SecurityConfigs.DATA_AUTH_ENABLED, "true",
                SecurityConfigs.DATA_API_KEYS_FILE, keys.toString()))) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                String body = method.equals("PUT") ? "{\"a\":1}" : null;
                HttpResponse<String> none = router.send(method, "/v1/tenants/acme/docs/k", null, body);
                assertEquals(401, none.statusCode(), method);
                assertEquals("Bearer realm=\"meridian\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
                assertEquals(401, router.send(method, "/v1/tenants/acme/docs/k", "mk_unknown", body).statusCode());
                HttpResponse<String> wrongTenant = router.send(method, "/v1/tenants/acme/docs/k", other.key(), body);
                assertEquals(403, wrongTenant.statusCode(), method + ": " + wrongTenant.body());
                assertEquals("tenant_not_allowed", code(wrongTenant));
                HttpResponse<String> allowed = router.send(method, "/v1/tenants/acme-eu/docs/k", acme.key(), body);
                assertEquals("tenant_not_found", code(allowed), method + " got through: " + allowed.body());
            }
            assertEquals("tenant_not_found", code(router.send("GET", "/v1/tenants/acme/docs/k", RouterHarness.TOKEN,
                    null)), "a full admin token reads any tenant");
            assertEquals(401, router.send("GET", "/v1/replication/tenants/acme/docs/k", null, null).statusCode(),
                    "region reads tell what a read tells: they need a key too");

            // Revoked: the line is removed; the node reads the file again (at most a second later).
            Files.writeString(keys, other.line() + "\n");
            Files.setLastModifiedTime(keys, FileTime.from(Instant.now().plusSeconds(5)));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    router.send("GET", "/v1/tenants/acme/docs/k", acme.key(), null).statusCode() == 401);
        }
    }

    @Test
    void shouldAnswer429WithRetryAfterOverATenantsRateAndCountIt() {
        try (StubRouter router = StubRouter.started(Map.of(SecurityConfigs.RATE_LIMIT_TENANT_PER_SECOND, "0.2",
                SecurityConfigs.RATE_LIMIT_TENANT_BURST, "2"))) {
            assertEquals(404, router.send("GET", "/v1/tenants/acme/docs/k", null, null).statusCode());
            assertEquals(404, router.send("GET", "/v1/tenants/acme/docs/k", null, null).statusCode());
            HttpResponse<String> limited = router.send("PUT", "/v1/tenants/acme/docs/k", null, "{}");
            assertEquals(429, limited.statusCode(), limited.body());
            assertEquals("rate_limited", code(limited));
            int retryAfter = Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 5, "one token comes back in 5 s: " + retryAfter);
            assertEquals(404, router.send("GET", "/v1/tenants/globex/docs/k", null, null).statusCode(),
                    "another tenant has its own bucket");
            assertTrue(router.scrape().contains("meridian_router_rate_limited_total{scope=\"tenant\"} 1.0"),
                    router.scrape());
        }
    }

    @Test
    void shouldLimitEachClientOnItsOwn(@TempDir Path dir) throws IOException {
        ApiKeys.NewKey a = ApiKeys.newKey(List.of("*"), "client-a");
        ApiKeys.NewKey b = ApiKeys.newKey(List.of("*"), "client-b");
        Path keys = dir.resolve("keys");
        Files.writeString(keys, a.line() + "\n" + b.line() + "\n");
        try (StubRouter router = StubRouter.started(Map.of(SecurityConfigs.DATA_AUTH_ENABLED, "true",
                SecurityConfigs.DATA_API_KEYS_FILE, keys.toString(),
                SecurityConfigs.RATE_LIMIT_CLIENT_PER_SECOND, "0.1", SecurityConfigs.RATE_LIMIT_CLIENT_BURST, "1"))) {
            assertEquals(404, router.send("GET", "/v1/tenants/t1/docs/k", a.key(), null).statusCode());
            HttpResponse<String> limited = router.send("GET", "/v1/tenants/t2/docs/k", a.key(), null);
            assertEquals(429, limited.statusCode(), "the client's limit spans tenants: " + limited.body());
            assertEquals("client", Json.readTree(limited.body().getBytes()).path("error").path("scope").asText());
            assertEquals(404, router.send("GET", "/v1/tenants/t1/docs/k", b.key(), null).statusCode());
        }
    }
}
