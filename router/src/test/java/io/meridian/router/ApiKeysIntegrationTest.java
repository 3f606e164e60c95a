package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.config.SecurityConfigs;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data API keys created and revoked through the admin API of one node, on real Kafka: two routers of us-east, each
 * with its own {@link KafkaApiKeyStore} over {@code meridian.api-keys} (as two nodes have), on the shared test cluster.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiKeysIntegrationTest {
    private static final Map<String, String> AUTH_ON = Map.of(SecurityConfigs.DATA_AUTH_ENABLED, "true");
    private static final Duration LOAD = Duration.ofSeconds(30);

    private static RouterHarness router(KafkaApiKeyStore keys) {
        RouterHarness.Options options = new RouterHarness.Options();
        options.overrides = AUTH_ON;
        options.apiKeys = keys;
        return new RouterHarness(options);
    }

    private static HttpResponse<String> write(RouterHarness router, String tenant, String key) {
        return router.put("/v1/tenants/" + tenant + "/docs/k", "{\"v\":1}", "Authorization", "Bearer " + key);
    }

    @Test
    void shouldHonourAKeyCreatedOnOneNodeOnEveryNodeAndRevokeItEverywhere() {
        SharedRegions.cluster();
        String cluster = SharedRegions.tenant("n");
        try (KafkaApiKeyStore firstKeys = new KafkaApiKeyStore(SharedRegions.cluster().clientConfig(), cluster + "-1");
             KafkaApiKeyStore secondKeys = new KafkaApiKeyStore(SharedRegions.cluster().clientConfig(),
                     cluster + "-2")) {
            firstKeys.start(LOAD);
            secondKeys.start(LOAD);
            try (RouterHarness first = router(firstKeys); RouterHarness second = router(secondKeys)) {
                String acme = SharedRegions.tenant("keys-acme");
                String globex = SharedRegions.tenant("keys-globex");
                first.givenTenantHere(acme);
                first.givenTenantHere(globex);
                String name = SharedRegions.tenant("app");

                HttpResponse<String> created = first.admin("POST", "/admin/api-keys", "{\"name\":\"" + name
                        + "\",\"tenants\":[\"" + acme + "\"],\"createdBy\":\"alice@ops\"}");
                long createdAt = System.nanoTime();
                assertEquals(201, created.statusCode(), created.body());
                JsonNode body = RouterHarness.json(created);
                String key = body.path("key").asText();
                assertTrue(key.startsWith("mk_"), created.body());
                assertEquals(name, body.path("name").asText());
                assertEquals(acme, body.path("tenants").path(0).asText());
                assertEquals("admin", body.path("source").asText());
                assertEquals("no-store", created.headers().firstValue("Cache-Control").orElse(null));

                HttpResponse<String> allowed = write(first, acme, key);
                assertEquals(201, allowed.statusCode(), allowed.body());
                HttpResponse<String> otherTenant = write(first, globex, key);
                assertEquals(403, otherTenant.statusCode(), otherTenant.body());
                assertEquals("tenant_not_allowed", RouterHarness.code(otherTenant));

                // The other node reads the key from meridian.api-keys.
                SharedRegions.awaitUntil(Duration.ofSeconds(10), () -> secondKeys.byName(name).isPresent(),
                        "the second node to read key " + name);
                System.out.printf("api key seen by the second node %d ms after the 201%n",
                        (System.nanoTime() - createdAt) / 1_000_000);
                assertEquals(201, write(second, acme, key).statusCode());
                assertEquals(403, write(second, globex, key).statusCode());

                // A node that starts (or restarts) now knows the key as soon as its start returns.
                try (KafkaApiKeyStore restarted = new KafkaApiKeyStore(SharedRegions.cluster().clientConfig(),
                        cluster + "-3")) {
                    restarted.start(LOAD);
                    assertEquals(ApiKeyLine.digest(key), restarted.byName(name).orElseThrow().digest());
                    assertEquals(name, restarted.byDigest(ApiKeyLine.digest(key)).orElseThrow().name());
                }

                // Listed on every node without the key or the full digest.
                HttpResponse<String> list = second.admin("GET", "/admin/api-keys", null);
                assertEquals(200, list.statusCode(), list.body());
                assertFalse(list.body().contains(key), "never the key: " + list.body());
                assertFalse(list.body().contains(ApiKeyLine.digest(key)), "never the digest: " + list.body());
                JsonNode listed = null;
                for (JsonNode item : RouterHarness.json(list).path("apiKeys")) {
                    if (item.path("name").asText().equals(name)) {
                        listed = item;
                    }
                }
                assertTrue(listed != null, list.body());
                assertEquals("alice@ops", listed.path("createdBy").asText());
                assertTrue(ApiKeyLine.digest(key).startsWith(listed.path("digestPrefix").asText()), list.body());

                HttpResponse<String> again = second.admin("POST", "/admin/api-keys", "{\"name\":\"" + name
                        + "\",\"tenants\":[\"" + globex + "\"]}");
                assertEquals(409, again.statusCode(), again.body());
                assertEquals("api_key_exists", RouterHarness.code(again));

                HttpResponse<String> revoked = first.admin("DELETE", "/admin/api-keys/" + name, null);
                assertEquals(204, revoked.statusCode(), revoked.body());
                long revokedAt = System.nanoTime();
                HttpResponse<String> afterRevoke = write(first, acme, key);
                assertEquals(401, afterRevoke.statusCode(), "revoked on the node that took the request at once: "
                        + afterRevoke.body());
                SharedRegions.awaitUntil(Duration.ofSeconds(10), () -> write(second, acme, key).statusCode() == 401,
                        "the second node to refuse the revoked key");
                System.out.printf("revocation honoured by the second node %d ms after the 204%n",
                        (System.nanoTime() - revokedAt) / 1_000_000);
                try (KafkaApiKeyStore restarted = new KafkaApiKeyStore(SharedRegions.cluster().clientConfig(),
                        cluster + "-4")) {
                    restarted.start(LOAD);
                    assertTrue(restarted.byName(name).isEmpty(), "a node started after the revocation never knew it");
                    assertTrue(restarted.byDigest(ApiKeyLine.digest(key)).isEmpty());
                }
                HttpResponse<String> unknown = second.admin("DELETE", "/admin/api-keys/" + name, null);
                assertEquals(404, unknown.statusCode(), unknown.body());
                assertEquals("api_key_not_found", RouterHarness.code(unknown));

                String scrape = first.registry.scrape();
                assertTrue(scrape.contains("meridian_router_auth_rejections_total{api=\"data\",reason=\"unknown\"} 1.0"),
                        scrape);
                assertTrue(scrape.contains("meridian_router_auth_rejections_total{api=\"data\","
                        + "reason=\"tenant_not_allowed\"} 1.0"), scrape);
            }
        }
    }
}
