package io.meridian.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplyRoundsTest {
    private static ApplyResult pass(String app, double rate, double cpu) {
        return new ApplyResult(app, rate, 100_000, 5.0, rate, 1.0, cpu, app.equals(StreamsPass.RAW) ? -1 : 100_000,
                app.equals(StreamsPass.RAW) ? -1 : 0, 4.5);
    }

    /**
     * Three rounds as ApplyBenchmark runs them: applier first, then raw first, then applier first. The median of
     * neither app's rates is its first pass: 18,000 / 20,000 / 30,000 and 30,000 / 40,000 / 100,000.
     */
    private static final List<ApplyResult> PASSES = List.of(
            pass(StreamsPass.APPLIER, 30_000, 30), pass(StreamsPass.RAW, 100_000, 10),
            pass(StreamsPass.RAW, 40_000, 8), pass(StreamsPass.APPLIER, 20_000, 20),
            pass(StreamsPass.APPLIER, 18_000, 44), pass(StreamsPass.RAW, 30_000, 11));

    @Test
    void shouldPairEachRoundsPassesWhicheverAppWentFirst() {
        List<ApplyRounds.Round> rounds = ApplyRounds.of(PASSES).rounds();
        assertEquals(3, rounds.size());
        assertEquals(0.3, rounds.get(0).throughputRatio(), 1e-9);
        assertEquals(3.0, rounds.get(0).cpuRatio(), 1e-9);
        assertEquals(0.5, rounds.get(1).throughputRatio(), 1e-9, "20,000 against 40,000 in the second round");
        assertEquals(2.5, rounds.get(1).cpuRatio(), 1e-9);
        assertEquals(0.6, rounds.get(2).throughputRatio(), 1e-9);
        assertEquals(4.0, rounds.get(2).cpuRatio(), 1e-9);
    }

    @Test
    void shouldGiveTheMedianRoundAndTheRange() {
        ApplyRounds rounds = ApplyRounds.of(PASSES);
        assertEquals(new ApplyRounds.Spread(0.5, 0.3, 0.6, 3), rounds.throughputRatio());
        assertEquals(new ApplyRounds.Spread(3.0, 2.5, 4.0, 3), rounds.cpuRatio());
        assertEquals(20_000, ApplyRounds.median(PASSES, StreamsPass.APPLIER, ApplyResult::recordsPerSec)
                .orElseThrow(), 1e-9);
        assertEquals(40_000, ApplyRounds.median(PASSES, StreamsPass.RAW, ApplyResult::recordsPerSec)
                .orElseThrow(), 1e-9);
        assertEquals(0.45, ApplyRounds.Spread.of(List.of(0.3, 0.6, 0.4, 0.5)).median(), 1e-9, "even: the middle two");
    }

    @Test
    void shouldLeaveOutWhatARoundOrAPassDidNotMeasure() {
        assertEquals(new ApplyRounds.Spread(0.5, 0.4, 0.6, 2), ApplyRounds.Spread.of(List.of(Double.NaN, 0.4, 0.6)));
        List<ApplyResult> passes = List.of(pass(StreamsPass.APPLIER, 20_000, 30), pass(StreamsPass.RAW, 40_000, 0),
                pass(StreamsPass.APPLIER, 0, 28), pass(StreamsPass.RAW, 50_000, 10),
                pass(StreamsPass.APPLIER, 26_000, 0));
        ApplyRounds rounds = ApplyRounds.of(passes);
        assertEquals(2, rounds.rounds().size(), "the third applier pass has no raw pass to pair with");
        assertEquals(new ApplyRounds.Spread(0.5, 0.5, 0.5, 1), rounds.throughputRatio());
        assertEquals(new ApplyRounds.Spread(2.8, 2.8, 2.8, 1), rounds.cpuRatio(), "the second round's; the first"
                + " measured no raw CPU");
        assertEquals(23_000, ApplyRounds.median(passes, StreamsPass.APPLIER, ApplyResult::recordsPerSec)
                .orElseThrow(), 1e-9, "the pass that measured no rate is left out, not counted as 0");

        Report report = reportOf(passes);
        String text = table(report);
        assertTrue(text.contains("throughput 0.50 (0.50-0.50)   CPU per record 2.80x (2.80x-2.80x)   (median,"
                + " lowest-highest, of 1 round)"), text);
        assertTrue(text.contains("round 1: throughput 0.50, CPU per record n/a"), text);
        assertTrue(text.contains("round 2: throughput n/a, CPU per record 2.80x"), text);
        JsonNode apply = json(report).path("ratios").path("apply");
        assertEquals(1, apply.path("cpuPerRecordRounds").asInt());
        assertTrue(apply.path("rounds").get(0).path("cpuPerRecord").isNull(), apply.toString());
        assertTrue(apply.path("rounds").get(1).path("throughput").isNull(), apply.toString());

        Report none = reportOf(List.of(pass(StreamsPass.APPLIER, 20_000, 0), pass(StreamsPass.RAW, 40_000, 10)));
        assertTrue(table(none).contains("CPU per record n/a   (median, lowest-highest, of 1 round, CPU of 0)"),
                table(none));
        assertTrue(json(none).path("ratios").path("apply").path("cpuPerRecord").isNull());
    }

    @Test
    void shouldReportTheMediansInTheTableAndEachRoundWithItsPasses() {
        Report report = reportOf(PASSES);
        String text = table(report);
        assertTrue(text.contains("throughput 0.50 (0.30-0.60)   CPU per record 3.00x (2.50x-4.00x)   (median,"
                + " lowest-highest, of 3 rounds)"), text);
        assertTrue(text.matches("(?s).*apply  applier \\(records/s\\)\\s+\\|\\s+20000 .*"), text);
        assertTrue(text.matches("(?s).*apply  raw-streams \\(records/s\\)\\s+\\|\\s+40000 .*"), text);
        assertTrue(text.matches("(?s).*round 2: throughput 0\\.50, CPU per record 2\\.50x\\n"
                + "\\s+applier: 20000 records/s.*\\n\\s+raw-streams: 40000 records/s.*"), text);

        JsonNode apply = json(report).path("ratios").path("apply");
        assertEquals(0.5, apply.path("throughput").asDouble(), 1e-9);
        assertEquals(0.3, apply.path("throughputMin").asDouble(), 1e-9);
        assertEquals(4.0, apply.path("cpuPerRecordMax").asDouble(), 1e-9);
        assertEquals(3, apply.path("throughputRounds").asInt());
        assertEquals(2, apply.path("rounds").get(1).path("round").asInt());
        assertEquals(0.5, apply.path("rounds").get(1).path("throughput").asDouble(), 1e-9);
    }

    private static Report reportOf(List<ApplyResult> passes) {
        Report report = new Report();
        passes.forEach(report::add);
        return report;
    }

    private static String table(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.printTable(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode json(Report report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.printJson(new PrintStream(out, true, StandardCharsets.UTF_8));
        return Json.readTree(out.toByteArray());
    }
}
