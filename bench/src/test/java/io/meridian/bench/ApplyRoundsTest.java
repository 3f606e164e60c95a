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

    /** Three rounds as ApplyBenchmark runs them: applier first, then raw first, then applier first. */
    private static final List<ApplyResult> PASSES = List.of(
            pass(StreamsPass.APPLIER, 20_000, 30), pass(StreamsPass.RAW, 40_000, 10),
            pass(StreamsPass.RAW, 100_000, 8), pass(StreamsPass.APPLIER, 30_000, 24),
            pass(StreamsPass.APPLIER, 18_000, 33), pass(StreamsPass.RAW, 30_000, 11));

    @Test
    void shouldPairEachRoundsPassesWhicheverAppWentFirst() {
        List<ApplyRounds.Round> rounds = ApplyRounds.of(PASSES).rounds();
        assertEquals(3, rounds.size());
        assertEquals(0.5, rounds.get(0).throughputRatio(), 1e-9);
        assertEquals(0.3, rounds.get(1).throughputRatio(), 1e-9, "30,000 against 100,000 in the second round");
        assertEquals(3.0, rounds.get(1).cpuRatio(), 1e-9);
        assertEquals(0.6, rounds.get(2).throughputRatio(), 1e-9);
    }

    @Test
    void shouldGiveTheMedianRoundAndTheRange() {
        ApplyRounds rounds = ApplyRounds.of(PASSES);
        assertEquals(new ApplyRounds.Spread(0.5, 0.3, 0.6), rounds.throughputRatio());
        assertEquals(3.0, rounds.cpuRatio().median(), 1e-9);
        assertEquals(20_000, ApplyRounds.median(PASSES, StreamsPass.APPLIER,
                ApplyResult::recordsPerSec).orElseThrow(), 1e-9, "18,000, 20,000 and 30,000");
        assertEquals(0.45, ApplyRounds.Spread.of(List.of(0.3, 0.6, 0.4, 0.5)).median(), 1e-9, "even: the middle two");
    }

    @Test
    void shouldLeaveOutARoundThatMeasuredNoCpuAndAnUnpairedPass() {
        ApplyRounds rounds = ApplyRounds.of(List.of(pass(StreamsPass.APPLIER, 20_000, 30),
                pass(StreamsPass.RAW, 40_000, 0), pass(StreamsPass.APPLIER, 22_000, 28)));
        assertEquals(1, rounds.rounds().size());
        assertTrue(Double.isNaN(rounds.cpuRatio().median()));
        assertEquals(0.5, rounds.throughputRatio().median(), 1e-9);
    }

    @Test
    void shouldReportTheMediansInTheTableAndEachRoundInTheJson() {
        Report report = new Report();
        PASSES.forEach(report::add);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        report.printTable(new PrintStream(table, true, StandardCharsets.UTF_8));
        String text = table.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("throughput 0.50 (0.30-0.60)   CPU per record 3.00x (3.00x-3.00x)"), text);
        assertTrue(text.matches("(?s).*apply  applier \\(records/s\\)\\s+\\|\\s+20000 .*"), text);
        assertTrue(text.matches("(?s).*apply  raw-streams \\(records/s\\)\\s+\\|\\s+40000 .*"), text);

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        report.printJson(new PrintStream(json, true, StandardCharsets.UTF_8));
        JsonNode apply = Json.readTree(json.toByteArray()).path("ratios").path("apply");
        assertEquals(0.5, apply.path("throughput").asDouble(), 1e-9);
        assertEquals(3, apply.path("rounds").size());
        assertEquals(0.3, apply.path("rounds").get(1).path("throughput").asDouble(), 1e-9);
    }
}
