package io.meridian.chaos;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.chaos.fault.Fault;
import io.meridian.infra.serde.Json;
import io.meridian.node.LocalDeployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short tier of the fault harness, run by {@code mvn -B verify}: three fault kinds with one seed on one
 * deployment of the harness. Asserts safety only (nothing acknowledged lost, applied twice, read stale, no two
 * controllers in one epoch, every migration ended); the availability figures are the long tier's report, not a test.
 * The workload's ingest writer runs in every run: every request Kafka acknowledged gets an outcome, its accepted
 * outcomes name one position, and an accepted request is never lost nor applied twice. In the node-kill run the
 * killed node is one that was taking ingest requests (it published outcomes before the kill -9) while requests went on
 * being produced.
 */
@Tag("integration")
@Tag("chaos-short")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ChaosShortTierTest {
    private static final long SEED = 7;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryPromiseUnderABrokerKillANodeKillAndAZooKeeperRestart() throws IOException {
        List<RunResult> runs = new ChaosPlan(List.of(Fault.BROKER_KILL, Fault.NODE_KILL, Fault.ZK_RESTART),
                List.of(SEED), Duration.ofSeconds(25), 4, "zookeeper", dir).execute();
        Report.table(runs, System.out);
        assertEquals(3, runs.size());
        assertAll(runs.stream().map(run -> () -> {
            var f = run.findings();
            assertTrue(run.acknowledged() > 0, run.name() + ": nothing was acknowledged");
            assertFalse(f.faults().isEmpty(), run.name() + ": no fault was injected");
            assertEquals(0, f.lost(), run.name() + " lost acknowledged writes: " + f.examples());
            assertEquals(0, f.overwrittenByOlder(), run.name() + " overwrote with older: " + f.examples());
            assertEquals(0, f.duplicates(), run.name() + " applied an Idempotency-Key twice: " + f.examples());
            assertEquals(0, f.staleReads(), run.name() + " served stale reads: " + f.examples());
            assertEquals(0, f.controllerConflicts(), run.name() + " had two controllers: " + f.examples());
            assertEquals(0, f.unfinishedMigrations(), run.name() + " left migrations unfinished: " + f.examples());
            assertEquals(0, f.divergentTenants(), run.name() + " diverged: " + f.examples());
            assertEquals(0, f.unreadable(), run.name() + " has regions that never caught up: " + f.examples());
            assertTrue(f.ingestRequests() > 0, run.name() + ": no ingest request was sent");
            assertEquals(0, f.ingestWithoutOutcome(), run.name() + " left ingest requests without outcome: "
                    + f.examples());
            assertEquals(0, f.ingestPositionConflicts(), run.name() + " accepted an ingest request at two positions: "
                    + f.examples());
        }));
        RunResult nodeKill = runs.stream().filter(r -> r.fault().equals(Fault.NODE_KILL.cliName())).findFirst()
                .orElseThrow();
        assertKilledAnIngestConsumerWhileRequestsFlowed(Path.of(nodeKill.history()));
    }

    /** The history of the node-kill run: the killed node published ingest outcomes before, requests went on after. */
    private static void assertKilledAnIngestConsumerWhileRequestsFlowed(Path history) throws IOException {
        List<JsonNode> lines = Files.readAllLines(history, StandardCharsets.UTF_8).stream()
                .map(line -> Json.readTree(line.getBytes(StandardCharsets.UTF_8))).toList();
        JsonNode kill = lines.stream().filter(l -> "fault".equals(l.path("type").asText()))
                .filter(l -> "inject".equals(l.path("action").asText())).findFirst().orElseThrow();
        String nodeId = LocalDeployment.nodeId(kill.path("target").asText().substring("node-".length()), 0);
        long killedAt = kill.path("atMs").asLong();
        long before = lines.stream().filter(l -> "ingest-outcome".equals(l.path("kind").asText()))
                .filter(l -> l.path("detail").asText().startsWith(nodeId + " "))
                .filter(l -> l.path("endMs").asLong() < killedAt).count();
        long sentAfter = lines.stream().filter(l -> "ingest".equals(l.path("kind").asText()))
                .filter(l -> l.path("startMs").asLong() > killedAt).count();
        assertTrue(before > 0, nodeId + " (killed at " + killedAt + " ms) had published no ingest outcome before");
        assertTrue(sentAfter > 0, "no ingest request was produced after the kill at " + killedAt + " ms");
    }
}
