package io.meridian.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate watch} and {@code events tail} when Kafka cannot be reached from the operator's machine: they poll
 * the node's admin API (a stub node here, its answers changing from one poll to the next) and print the lines the
 * Kafka path prints, saying once on stderr why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpFollowTest {
    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    Path home;

    private StubNode node;

    @BeforeEach
    void start() {
        node = new StubNode();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** A port nothing listens on. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Cli cli(String bootstrap) {
        return new Cli(bootstrap == null ? Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "secret")
                : Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "secret",
                "MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", bootstrap), home);
    }

    static String migration(String id, String tenant, String state, long remaining, long updatedAt) {
        return "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\",\"fromRegion\":\"us-east\",\"toRegion\":"
                + "\"eu-west\",\"state\":\"" + state + "\",\"active\":" + !List.of("completed", "failed", "cancelled")
                .contains(state) + ",\"cancelRequested\":false,\"requestedAt\":1796298000000,\"updatedAt\":"
                + updatedAt + ",\"timeoutMs\":30000,\"placementEpoch\":5,\"pauseFence\":\"3:41\",\"pausedAt\":"
                + "1796298000100,\"remainingEntries\":" + remaining + ",\"entriesPerSecond\":"
                + (remaining > 0 ? "15.0" : "0.0") + ",\"reason\":\"" + (state.equals("requested")
                ? "requested by admin API on us-east/n1" : "now " + state) + "\"}";
    }

    /** Answers {@code answers} one after the other, then the last one forever. */
    static java.util.function.Function<StubNode.Request, StubNode.Answer> inTurn(String... answers) {
        AtomicInteger calls = new AtomicInteger();
        return r -> new StubNode.Answer(200, answers[Math.min(calls.getAndIncrement(), answers.length - 1)]);
    }

    @Test
    void migrateWatchPollsTheNodeWhenKafkaDoesNotAnswerAndPrintsTheKafkaPathsLines() throws IOException {
        int port = closedPort();
        node.compute("GET", "/admin/migrations/m-1", inTurn(
                migration("m-1", "acme", "draining", 40, 1796298000200L),  // the "already ended?" question
                migration("m-1", "acme", "draining", 40, 1796298000200L),
                migration("m-1", "acme", "draining", 10, 1796298000300L),
                migration("m-1", "acme", "switched", 0, 1796298000400L),
                migration("m-1", "acme", "completed", 0, 1796298000500L)));

        Cli.Result result = cli("127.0.0.1:" + port).run("migrate", "watch", "m-1", "--poll-interval", "PT0.1S");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("note: polling the node at " + node.url() + " every 0.1 s instead of reading Kafka: Kafka at"
                + " 127.0.0.1:" + port + " did not answer within 5 s (check --bootstrap and --command-config; --http"
                + " skips this wait)\n", result.err());
        List<String> lines = result.lines();
        assertEquals(7, lines.size(), result::toString);
        assertTrue(lines.get(0).matches("TIME\\s+TENANT\\s+MIGRATION\\s+TYPE\\s+STATE\\s+DETAIL"), lines.get(0));
        assertTrue(lines.get(1).matches("2026-12-03T11:40:00\\.000Z\\s+acme\\s+m-1\\s+requested\\s+requested\\s+"
                + "us-east -> eu-west, timeout 30 s, by \\?"), lines.get(1));
        assertTrue(lines.get(2).matches(TIME + "\\s+acme\\s+m-1\\s+state_changed\\s+draining\\s+now draining"),
                lines.get(2));
        assertTrue(lines.get(3).matches(".*progress\\s+draining\\s+\\[-{20}]   0% 40 entries left, 15\\.0/s,"
                + " ~3 s left"), lines.get(3));
        assertTrue(lines.get(4).matches(".*progress\\s+draining\\s+\\[#{15}-{5}]  75% 10 entries left.*"),
                lines.get(4));
        assertTrue(lines.get(5).matches(".*state_changed\\s+switched\\s+now switched"), lines.get(5));
        assertTrue(lines.get(6).matches(".*state_changed\\s+completed\\s+now completed"), lines.get(6));
    }

    @Test
    void migrateWatchOverHttpOfEveryTenantShowsNewMigrationsAndHowTheyEnd() throws InterruptedException {
        node.compute("GET", "/admin/migrations", r -> r.path().equals("/admin/migrations/m-2")
                ? new StubNode.Answer(200, migration("m-2", "globex", "failed", 0, 1796298001000L))
                : inTurnAnswers.apply(r));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread watch = new Thread(() -> cli(null).run(out, err, "migrate", "watch", "--http", "--poll-interval",
                "PT0.1S"));
        watch.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("failed"));
        } finally {
            watch.interrupt();
            watch.join(10_000);
        }
        assertTrue(err.toString().startsWith("note: polling the node at " + node.url() + " every 0.1 s instead of"
                + " reading Kafka: --http\n"), err::toString);
        List<String> lines = List.of(out.toString().split("\n"));
        assertEquals(5, lines.size(), out::toString);
        assertTrue(lines.get(1).matches(".*globex\\s+m-2\\s+requested\\s+requested\\s+us-east -> eu-west, timeout"
                + " 30 s, by admin API on us-east/n1"), lines.get(1));
        assertTrue(lines.get(2).matches(".*globex\\s+m-2\\s+state_changed\\s+validated\\s+now validated"),
                lines.get(2));
        assertTrue(lines.get(3).matches(".*globex\\s+m-2\\s+state_changed\\s+writes_paused\\s+now writes_paused"
                + " \\(fence 3:41, epoch 5\\)"), lines.get(3));
        assertTrue(lines.get(4).matches(".*globex\\s+m-2\\s+state_changed\\s+failed\\s+now failed"), lines.get(4));
        assertTrue(node.requests().stream().filter(r -> r.path().equals("/admin/migrations"))
                .allMatch(r -> r.query().equals("state=active")), "the list of active migrations");
    }

    /** The active list: empty, then m-2 requested, validated, paused, then gone (it failed). */
    private final java.util.function.Function<StubNode.Request, StubNode.Answer> inTurnAnswers = inTurn(
            "{\"migrations\":[]}",
            "{\"migrations\":[" + migration("m-2", "globex", "requested", -1, 1796298000000L) + "]}",
            "{\"migrations\":[" + migration("m-2", "globex", "validated", -1, 1796298000100L) + "]}",
            "{\"migrations\":[" + migration("m-2", "globex", "writes_paused", -1, 1796298000200L) + "]}",
            "{\"migrations\":[]}");

    @Test
    void eventsTailOverHttpPrintsMigrationsAndPlacementChangesWithoutAPosition() {
        node.compute("GET", "/admin/migrations", inTurn("{\"migrations\":[]}",
                        "{\"migrations\":[" + migration("m-3", "acme", "draining", 5, 1796298000300L) + "]}"))
                .compute("GET", "/admin/tenants", inTurn(
                        "{\"tenants\":[" + CommandsTest.ACME + "," + CommandsTest.GLOBEX + "]}",
                        "{\"tenants\":[" + CommandsTest.ACME.replace("\"epoch\":3", "\"epoch\":4") + "]}"));

        Cli.Result result = cli(null).run("events", "tail", "--limit", "5", "--poll-interval", "PT0.1S");

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.err().matches("note: polling the node at .* instead of reading Kafka: no Kafka bootstrap"
                + " servers are configured \\(--bootstrap or MERIDIAN_KAFKA_BOOTSTRAP_SERVERS\\)\\nnote: not"
                + " followed over HTTP \\(only Kafka has them\\): controller, conflicts, dlq\\n"), result::err);
        List<String> lines = result.lines();
        assertEquals(5, lines.size(), result::toString);
        List<String> migrations = lines.stream().filter(l -> l.matches(TIME + "  migrations\\s+-\\s+acme\\s+.*"))
                .toList();
        assertEquals(3, migrations.size(), result::toString);
        assertTrue(migrations.get(0).contains("{\"type\":\"requested\",\"migrationId\":\"m-3\""), result::toString);
        assertTrue(migrations.get(1).contains("{\"type\":\"state_changed\",\"migrationId\":\"m-3\",\"tenant\":"
                + "\"acme\",\"state\":\"draining\""), result::toString);
        assertTrue(migrations.get(2).contains("{\"type\":\"progress\",\"migrationId\":\"m-3\""), result::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches(TIME + "  placements\\s+-\\s+acme\\s+\\{\"tenant\":"
                + "\"acme\",\"primary\":\"us-east\".*\"epoch\":4.*")), result::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches(TIME + "  placements\\s+-\\s+globex-international\\s+"
                + "<tombstone>")), result::toString);
    }

    @Test
    void aNodeThatStopsAnsweringForAWhileIsPolledAgainWithOneWarning() {
        AtomicInteger calls = new AtomicInteger();
        node.compute("GET", "/admin/migrations/m-5", r -> switch (calls.getAndIncrement()) {
            case 0, 1 -> new StubNode.Answer(200, migration("m-5", "acme", "draining", 40, 1796298000200L));
            case 2, 3 -> new StubNode.Answer(503, "{\"error\":{\"code\":\"no_controller\",\"message\":\"an"
                    + " election is in progress\"}}", Map.of("Retry-After", "6"));
            default -> new StubNode.Answer(200, migration("m-5", "acme", "completed", 0, 1796298000500L));
        });

        Cli.Result result = cli(null).run("migrate", "watch", "m-5", "--poll-interval", "PT0.1S");

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.err().endsWith("\nwarning: no_controller: an election is in progress (retry after 6 s);"
                + " retrying for up to 60 s\nnote: the node at " + node.url() + " answers again\n"), result::err);
        assertTrue(result.lines().get(result.lines().size() - 1).matches(".*state_changed\\s+completed.*"),
                result::toString);
    }

    @Test
    void bootstrapServersThatDoNotResolveHereAreOutOfReachToo() {
        node.compute("GET", "/admin/migrations", inTurn(
                "{\"migrations\":[" + migration("m-4", "acme", "requested", -1, 1796298000000L) + "]}"));

        Cli.Result result = cli("no-such-host.invalid:9092").run("events", "tail", "--topic", "migrations",
                "--limit", "1", "--from-beginning");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("note: polling the node at " + node.url() + " every 1.0 s instead of reading Kafka: none of the"
                + " Kafka bootstrap servers 'no-such-host.invalid:9092' resolves from this machine (check"
                + " --bootstrap)\n", result.err());
        assertTrue(result.out().matches(TIME + "  migrations\\s+-\\s+acme\\s+\\{\"type\":\"requested\".*\n"),
                result::toString);
    }

    @Test
    void eventsTailOverHttpOfTopicsOnlyKafkaHasSaysSo() {
        Cli.Result result = cli(null).run("events", "tail", "--http", "--topic", "controller,dlq");
        assertEquals(ExitCode.UNAVAILABLE, result.exitCode(), result::toString);
        assertTrue(result.err().endsWith("error: kafka_unavailable: controller, dlq can only be read from Kafka;"
                + " over HTTP the node shows migrations and placements\n"), result::err);
        assertTrue(node.requests().isEmpty(), node.requests().toString());
    }

    @Test
    void aPollIntervalOutOfRangeIsAUsageError() {
        Cli.Result result = cli(null).run("migrate", "watch", "--http", "--poll-interval", "PT0.01S");
        assertEquals(ExitCode.USAGE, result.exitCode(), result::toString);
        assertTrue(node.requests().isEmpty(), node.requests().toString());
    }
}
