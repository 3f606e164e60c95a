package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where the global options take their defaults from: the option, the environment, then 'meridian local'. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SettingsTest {
    @TempDir
    Path home;

    private void writeLocal() throws IOException {
        Path nodes = home.resolve(".meridian/local/nodes");
        Files.createDirectories(nodes);
        Files.writeString(nodes.resolve("us-east.properties"), "#written by 'meridian local'\n"
                + "region=us-east\nkafka.bootstrap.servers=127.0.0.1\\:19092,127.0.0.1\\:19093\n");
        Files.writeString(home.resolve(".meridian/local/admin-token"), "local-token\n");
    }

    @Test
    void bootstrapComesFromTheOptionThenTheEnvironmentThenTheLocalNodeFile() throws IOException {
        writeLocal();
        MeridianCtl local = new MeridianCtl(Map.of(), List.of(home));
        assertEquals("127.0.0.1:19092,127.0.0.1:19093", local.bootstrap());
        MeridianCtl fromEnv = new MeridianCtl(Map.of("MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), List.of(home));
        assertEquals("kafka:9092", fromEnv.bootstrap());
        fromEnv.bootstrap = "broker:9093";
        assertEquals("broker:9093", fromEnv.bootstrap());
    }

    @Test
    void withoutBootstrapTheTailCommandsSayHowToSetItAndPollTheNode() throws IOException {
        CliException e = assertThrows(CliException.class, () -> new MeridianCtl(Map.of(), List.of(home)).bootstrap());
        assertEquals(ExitCode.USAGE, e.exitCode());
        String node = "http://127.0.0.1:" + HttpFollowTest.closedPort();
        Cli.Result result = new Cli(Map.of("MERIDIAN_URL", node), home).run("events", "tail");
        assertEquals(ExitCode.UNAVAILABLE, result.exitCode(), "neither Kafka nor the node: " + result);
        assertTrue(result.err().startsWith("note: polling the node at " + node + " every 1.0 s instead of reading"
                + " Kafka: no Kafka bootstrap servers are configured (--bootstrap or MERIDIAN_KAFKA_BOOTSTRAP_SERVERS)"
                + "\n"), result::err);
        assertTrue(result.err().contains("error: unreachable: cannot reach " + node), result::err);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void unreachableKafkaAndNodeExitThreeSayingWhatToCheck() throws IOException {
        int port = HttpFollowTest.closedPort();
        String node = "http://127.0.0.1:" + HttpFollowTest.closedPort();
        Cli.Result result = new Cli(Map.of("MERIDIAN_URL", node), home).run("events", "tail", "--bootstrap",
                "127.0.0.1:" + port);
        assertEquals(ExitCode.UNAVAILABLE, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("note: polling the node at " + node + " every 1.0 s instead of reading"
                + " Kafka: Kafka at 127.0.0.1:" + port + " did not answer within 5 s (check --bootstrap and"
                + " --command-config; --http skips this wait)\n"), result::err);
        assertTrue(result.err().contains("error: unreachable: cannot reach " + node), result::err);
    }

    @Test
    void theTokenOfMeridianLocalIsUsedWhenNoneIsGiven() throws IOException {
        writeLocal();
        try (StubNode node = new StubNode()) {
            node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[]}");
            Cli cli = new Cli(Map.of("MERIDIAN_URL", node.url()), home);
            assertEquals(0, cli.run("tenants", "list").exitCode());
            Cli withEnv = new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "env-token"), home);
            assertEquals(0, withEnv.run("tenants", "list").exitCode());
            assertEquals(0, withEnv.run("tenants", "list", "--token", "option-token").exitCode());
            assertEquals(List.of("Bearer local-token", "Bearer env-token", "Bearer option-token"),
                    node.requests().stream().map(StubNode.Request::authorization).toList());
        }
    }
}
