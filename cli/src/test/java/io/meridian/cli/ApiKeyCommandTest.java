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

/** {@code meridianctl apikey create}: a key and its line, made locally (no node is asked). */
class ApiKeyCommandTest {
    @TempDir
    Path home;

    private StubNode node;
    private Cli cli;

    @BeforeEach
    void start() {
        node = new StubNode();
        cli = new Cli(Map.of("MERIDIAN_URL", node.url()), home);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void shouldPrintANewKeyAndTheLineThatHoldsOnlyItsDigest() {
        Cli.Result result = cli.run("apikey", "create", "--tenants", "acme,acme-eu", "--name", "acme-app", "-o",
                "json");
        assertEquals(0, result.exitCode(), result::toString);
        JsonNode out = Json.readTree(result.out().getBytes(StandardCharsets.UTF_8));
        String key = out.path("key").asText();
        assertTrue(key.startsWith("mk_") && key.length() > 40, key);
        assertEquals(ApiKeyLine.digest(key) + " acme,acme-eu acme-app", out.path("line").asText());
        assertFalse(out.path("line").asText().contains(key), "the line never holds the key");
        assertTrue(node.requests().isEmpty(), "made locally: " + node.requests());
        Cli.Result another = cli.run("apikey", "create", "--tenants", "*");
        assertEquals(0, another.exitCode(), another::toString);
        assertFalse(another.out().contains(key), "every key is new");
        assertEquals(ExitCode.USAGE, cli.run("apikey", "create").exitCode(), "--tenants is required");
    }
}
