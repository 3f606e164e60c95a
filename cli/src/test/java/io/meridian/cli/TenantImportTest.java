package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridianctl tenants import FILE} against a stub node: requests of --batch entries, progress, failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TenantImportTest {
    private static final String ANSWER = "{\"created\":2,\"changed\":0,\"unchanged\":0,\"failed\":0,\"visible\":true,"
            + "\"results\":[{\"tenant\":\"a\",\"status\":201,\"epoch\":1},{\"tenant\":\"b\",\"status\":201,\"epoch\":1}]}";

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
    void shouldSendJsonLinesInRequestsOfTheBatchSizeAndReportProgress() throws Exception {
        node.answer("PUT", "/admin/tenants", 200, ANSWER);
        Path file = home.resolve("tenants.jsonl");
        StringBuilder lines = new StringBuilder("# five tenants\n");
        for (int i = 0; i < 5; i++) {
            lines.append("{\"tenant\":\"t").append(i).append("\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}\n");
        }
        Files.writeString(file, lines.append("\n"));

        Cli.Result result = cli.run("tenants", "import", file.toString(), "--batch", "2");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, node.requests().size(), "5 entries in requests of 2");
        JsonNode first = json(node.requests().get(0).body());
        assertEquals(2, first.get("tenants").size());
        assertEquals("t0", first.get("tenants").get(0).get("tenant").asText());
        assertEquals(1, json(node.requests().get(2).body()).get("tenants").size());
        assertEquals("Bearer secret", node.requests().get(0).authorization());
        assertTrue(result.out().contains("2/5 tenants") && result.out().contains("5/5 tenants"), result::toString);
        assertTrue(result.out().contains("imported"), result::toString);
    }

    @Test
    void shouldListRefusedEntriesAndExitWithOne() throws Exception {
        node.answer("PUT", "/admin/tenants", 200, "{\"created\":1,\"changed\":0,\"unchanged\":0,\"failed\":1,"
                + "\"visible\":true,\"results\":[{\"tenant\":\"a\",\"status\":201,\"epoch\":1},{\"tenant\":\"m\","
                + "\"status\":400,\"error\":{\"code\":\"unknown_region\",\"message\":\"no region mars\"}}]}");
        Path file = home.resolve("tenants.json");
        Files.writeString(file, "[{\"tenant\":\"a\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"tenant\":\"m\",\"primary\":\"mars\",\"replicas\":[\"mars\"]}]");

        Cli.Result result = cli.run("tenants", "import", file.toString(), "-o", "json");

        assertEquals(1, result.exitCode(), result::toString);
        JsonNode summary = json(result.out().strip());
        assertEquals(1, summary.get("created").asInt());
        assertEquals("unknown_region", summary.get("failures").get(0).get("code").asText());
        assertEquals("m", summary.get("failures").get(0).get("tenant").asText());
    }

    @Test
    void shouldRefuseAFileThatIsNotEntriesAndABadBatchWithoutSending() throws Exception {
        Path file = home.resolve("bad.jsonl");
        Files.writeString(file, "{\"tenant\":\"a\"}\nnot json\n");
        assertEquals(ExitCode.USAGE, cli.run("tenants", "import", file.toString()).exitCode());
        Path good = home.resolve("good.json");
        Files.writeString(good, "{\"tenants\":[{\"tenant\":\"a\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}]}");
        assertEquals(ExitCode.USAGE, cli.run("tenants", "import", good.toString(), "--batch", "0").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("tenants", "import", home.resolve("missing.json").toString()).exitCode());
        assertTrue(node.requests().isEmpty());
    }

    @Test
    void listSendsThePageQueryAndSaysHowToGetTheNextPage() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + CommandsTest.ACME + "],\"next\":\"acme\"}");

        Cli.Result result = cli.run("tenants", "list", "--limit", "1", "--primary", "us-east");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("limit=1&primary=us-east", node.onlyRequest().query());
        assertTrue(result.out().contains("more: meridianctl tenants list --cursor acme --primary us-east"),
                result::toString);
    }

    private static JsonNode json(String text) {
        return Json.readTree(text.getBytes(StandardCharsets.UTF_8));
    }
}
