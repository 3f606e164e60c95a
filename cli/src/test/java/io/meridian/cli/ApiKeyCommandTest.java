package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meridianctl apikey create|list|revoke}: through the admin API, or with {@code create --offline} a key and its
 * line made locally (no node is asked).
 */
class ApiKeyCommandTest {
    private static final String CREATED = "{\"name\":\"acme-app\",\"key\":\"mk_secret\",\"source\":\"admin\","
            + "\"tenants\":[\"acme\",\"acme-eu\"],\"digestPrefix\":\"sha256:0123abcd\","
            + "\"createdAt\":\"2026-12-03T12:00:00Z\",\"createdBy\":\"alice\",\"node\":\"us-east/n1\"}";

    @TempDir
    Path home;

    private StubNode node;
    private Cli cli;

    @BeforeEach
    void start() {
        node = new StubNode();
        cli = new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "t0ken"), home);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void shouldPrintANewKeyAndTheLineThatHoldsOnlyItsDigestOffline() {
        Cli.Result result = cli.run("apikey", "create", "--offline", "--tenants", "acme,acme-eu", "--name",
                "acme-app", "-o", "json");
        assertEquals(0, result.exitCode(), result::toString);
        JsonNode out = Json.readTree(result.out().getBytes(StandardCharsets.UTF_8));
        String key = out.path("key").asText();
        assertTrue(key.startsWith("mk_") && key.length() > 40, key);
        assertEquals(ApiKeyLine.digest(key) + " acme,acme-eu acme-app", out.path("line").asText());
        assertFalse(out.path("line").asText().contains(key), "the line never holds the key");
        assertTrue(node.requests().isEmpty(), "made locally: " + node.requests());
        Cli.Result another = cli.run("apikey", "create", "--offline", "--tenants", "*");
        assertEquals(0, another.exitCode(), another::toString);
        assertFalse(another.out().contains(key), "every key is new");
        assertEquals(ExitCode.USAGE, cli.run("apikey", "create").exitCode(), "--tenants is required");
    }

    @Test
    void shouldCreateAKeyThroughTheAdminApiByDefault() {
        node.answer("POST", "/admin/api-keys", 201, CREATED);
        Cli.Result result = cli.run("apikey", "create", "--tenants", "acme,acme-eu", "--name", "acme-app");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("Bearer t0ken", request.authorization());
        JsonNode sent = Json.readTree(request.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("acme-app", sent.path("name").asText());
        assertEquals("[\"acme\",\"acme-eu\"]", sent.path("tenants").toString());
        assertTrue(result.out().contains("mk_secret"), result.out());
        assertTrue(result.out().contains("sha256:0123abcd"), result.out());
        assertEquals(ExitCode.USAGE, cli.run("apikey", "create", "--tenants", "acme").exitCode(),
                "a key of the API needs a name");
    }

    @Test
    void shouldReportARefusedCreateWithTheNodesCode() {
        node.answer("POST", "/admin/api-keys", 409, "{\"error\":{\"code\":\"api_key_exists\",\"message\":\"an API"
                + " key named 'acme-app' exists already\"}}");
        Cli.Result result = cli.run("apikey", "create", "--tenants", "acme", "--name", "acme-app");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertTrue(result.err().contains("api_key_exists"), result.err());
    }

    @Test
    void shouldListEveryPageAndRevokeByName() {
        node.compute("GET", "/admin/api-keys", request -> request.query() == null
                ? new StubNode.Answer(200, "{\"apiKeys\":[{\"name\":\"acme-app\",\"source\":\"admin\",\"tenants\":"
                        + "[\"acme\"],\"digestPrefix\":\"sha256:0123abcd\",\"createdAt\":\"2026-12-03T12:00:00Z\","
                        + "\"createdBy\":\"alice\",\"node\":\"us-east/n1\"}],\"next\":\"acme-app\"}")
                : new StubNode.Answer(200, "{\"apiKeys\":[{\"name\":\"line-1\",\"source\":\"file\",\"tenants\":"
                        + "[\"*\"],\"digestPrefix\":\"sha256:99aa00bb\",\"createdAt\":null,\"createdBy\":null,"
                        + "\"node\":null}]}"));
        Cli.Result list = cli.run("apikey", "list");
        assertEquals(0, list.exitCode(), list::toString);
        assertTrue(list.out().contains("acme-app") && list.out().contains("line-1"), list.out());
        assertTrue(list.out().contains("file") && list.out().contains("sha256:99aa00bb"), list.out());

        node.answer("DELETE", "/admin/api-keys/acme-app", 204, "");
        Cli.Result revoked = cli.run("apikey", "revoke", "acme-app", "-o", "json");
        assertEquals(0, revoked.exitCode(), revoked::toString);
        assertEquals("{\"name\":\"acme-app\",\"revoked\":true}", revoked.out().strip());
        node.answer("DELETE", "/admin/api-keys/gone", 404, "{\"error\":{\"code\":\"api_key_not_found\","
                + "\"message\":\"no API key is named 'gone'\"}}");
        Cli.Result missing = cli.run("apikey", "revoke", "gone");
        assertEquals(ExitCode.SERVER_ERROR, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("api_key_not_found"), missing.err());
    }
}
