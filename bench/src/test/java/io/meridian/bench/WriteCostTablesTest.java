package io.meridian.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.bench.cost.TopicTraffic;
import io.meridian.bench.cost.WatchedProcess;
import io.meridian.bench.cost.WriteCost;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteCostTablesTest {
    private static final WatchedProcess EAST = new WatchedProcess(WatchedProcess.Role.NODE, "us-east", 11, null);
    private static final WatchedProcess BROKER = new WatchedProcess(WatchedProcess.Role.BROKER, "broker-0", 12, null);

    private static final WriteCost COST = new WriteCost("closed 64 writers", "router", 2_000, 20.0,
            List.of(new TopicTraffic("app-docs-changelog", 6_000, 1_000, 600_000),
                    new TopicTraffic("meridian.wal", 2_000, 0, 640_000)),
            List.of(new WriteCost.ProcessCpu(EAST, 5_000), new WriteCost.ProcessCpu(BROKER, 3_000)),
            List.of(new WriteCost.JvmGc("node us-east", 40, "/metrics"), new WriteCost.JvmGc("bench (this JVM)", 4,
                    "mxbeans")), 1.25, 3.5, List.of("something failed"));

    @Test
    void shouldPutPerWriteFiguresInTheSummary() {
        JsonNode summary = WriteCostTables.of(List.of(COST)).toJson().path("tables").path(WriteCostTables.SUMMARY)
                .get(0);
        assertEquals(2_000, summary.path("writes").asLong());
        assertEquals(4.0, summary.path("records").asDouble(), 1e-9);
        assertEquals(0.5, summary.path("markers").asDouble(), 1e-9);
        assertEquals(620.0, summary.path("bytes").asDouble(), 1e-9);
        assertEquals(2.5, summary.path("node cpu ms").asDouble(), 1e-9);
        assertEquals(1.5, summary.path("kafka cpu ms").asDouble(), 1e-9);
        assertEquals(20.0, summary.path("node gc us").asDouble(), 1e-9, "40 ms over 2,000 writes, nodes only");
        assertEquals(3.5, summary.path("load close").asDouble(), 1e-9);
    }

    @Test
    void shouldListEveryTopicThenTheTotal() {
        JsonNode records = WriteCostTables.of(List.of(COST)).toJson().path("tables").path(WriteCostTables.RECORDS);
        assertEquals(3, records.size());
        assertEquals("app-docs-changelog", records.get(0).path("topic").asText());
        assertEquals(3.0, records.get(0).path("records/write").asDouble(), 1e-9);
        assertEquals(TopicTraffic.TOTAL, records.get(2).path("topic").asText());
        assertEquals(8_000, records.get(2).path("records").asLong());
    }

    @Test
    void shouldPrintTheLoadAverageAndProblems() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WriteCostTables.of(List.of(COST)).printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("load close"), text);
        assertTrue(text.contains("closed 64 writers  router: something failed"), text);
    }
}
