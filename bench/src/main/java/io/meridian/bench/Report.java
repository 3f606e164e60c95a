package io.meridian.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.bench.cost.WriteCost;
import io.meridian.infra.serde.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Collects the results of one bench run and prints them as a table with ratios, or as JSON. */
final class Report {
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<LoadResult> loads = new ArrayList<>();
    private final List<ApplyResult> applies = new ArrayList<>();
    private final List<WriteCost> costs = new ArrayList<>();
    /** The 1-minute load average when each result came in: these machines are shared, and it shows in the figures. */
    private final Map<String, Double> loadAverages = new LinkedHashMap<>();

    void setting(String name, Object value) {
        settings.put(name, value);
    }

    void add(LoadResult result) {
        loads.add(result);
        loadAverages.put(result.scenario() + " " + result.target(), loadAverage());
    }

    void add(WriteCost cost) {
        costs.add(cost);
    }

    void add(ApplyResult result) {
        applies.add(result);
        loadAverages.put("apply " + result.app() + " " + applies.stream().filter(r -> r.app().equals(result.app()))
                .count(), result.loadAverage());
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    void printTable(PrintStream out) {
        out.println();
        out.println("meridian bench  " + settings);
        out.println();
        String format = "%-32s | %10s | %8s | %8s | %8s | %s%n";
        out.printf(format, "scenario", "ops/s", "p50 ms", "p99 ms", "max ms", "errors");
        out.println("-".repeat(32) + "-+-" + "-".repeat(10) + "-+-" + "-".repeat(8) + "-+-" + "-".repeat(8) + "-+-"
                + "-".repeat(8) + "-+-------");
        for (LoadResult r : loads) {
            boolean none = r.latency().count() == 0;
            out.printf(format, r.scenario() + "  " + r.target(), String.format("%.0f", r.opsPerSec()),
                    none ? "-" : ms(r.latency().p50Ms()), none ? "-" : ms(r.latency().p99Ms()),
                    none ? "-" : ms(r.latency().maxMs()),
                    r.errorCount() == 0 ? "0" : r.errorCount() + " " + r.errors());
        }
        for (String app : List.of(StreamsPass.APPLIER, StreamsPass.RAW)) {
            // Every pass applies the same backlog, so each rejects as many: the most any pass rejected.
            ApplyRounds.median(applies, app, ApplyResult::recordsPerSec).ifPresent(rate -> out.printf(format,
                    "apply  " + app + " (records/s)", String.format("%.0f", rate), "-", "-", "-",
                    app.equals(StreamsPass.RAW) ? "-" : applies.stream().filter(r -> r.app().equals(app))
                            .mapToLong(ApplyResult::rejected).max().orElse(0) + " rejected"));
        }
        out.println();
        out.println("ratios (Meridian / raw Kafka):");
        for (String scenario : scenarios()) {
            pair(scenario).ifPresent(p -> out.printf("  %-30s throughput %s   p50 %sx   p99 %sx   max %sx%n", scenario,
                    ratio(p[0].opsPerSec(), p[1].opsPerSec()), ratio(p[0].latency().p50Ms(), p[1].latency().p50Ms()),
                    ratio(p[0].latency().p99Ms(), p[1].latency().p99Ms()),
                    ratio(p[0].latency().maxMs(), p[1].latency().maxMs())));
        }
        ApplyRounds rounds = ApplyRounds.of(applies);
        if (!rounds.isEmpty()) {
            ApplyRounds.Spread throughput = rounds.throughputRatio();
            ApplyRounds.Spread cpu = rounds.cpuRatio();
            out.printf("  %-30s throughput %s   CPU per record %s   (median, lowest-highest, of %s)%n",
                    "apply (applier / raw-streams)", spread(throughput, ""), spread(cpu, "x"),
                    throughput.count() == cpu.count() ? rounds(throughput.count())
                            : rounds(throughput.count()) + ", CPU of " + cpu.count());
        }
        out.println();
        out.println("notes: closed loop = each writer waits for its acknowledgement (router: 201 after the applier"
                + " accepted; raw: Kafka ack);");
        out.println("       open loop latency runs from the scheduled send time; ops/s there is the achieved rate;");
        out.println("       apply rate is the steady state, between 10% and 90% of the WAL backlog processed by a fresh"
                + " app id; its rows are the medians of the passes below;");
        for (ApplyRounds.Round round : rounds.rounds()) {
            out.printf("       round %d: throughput %s, CPU per record %s%n", round.number(),
                    ratio(round.throughputRatio(), ""), ratio(round.cpuRatio(), "x"));
            printPass(out, round.applier());
            printPass(out, round.raw());
        }
        applies.stream().filter(r -> rounds.rounds().stream().noneMatch(round -> round.applier() == r
                || round.raw() == r)).forEach(r -> printPass(out, r));
        out.printf("       1-min load average (%d cores) after each: %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverages);
        if (!costs.isEmpty()) {
            WriteCostTables.of(costs).printTable(out);
        }
        out.flush();
    }

    private static void printPass(PrintStream out, ApplyResult r) {
        out.printf("         %s: %.0f records/s steady, %d records in %.2f s from the first one (%.0f records/s"
                        + " with the ramp-up), startup %.1f s, %.1f µs CPU per record in its threads%s%n", r.app(),
                r.recordsPerSec(), r.records(), r.seconds(), r.fullSpanPerSec(), r.startupSeconds(),
                r.cpuMicrosPerRecord(), r.accepted() < 0 ? "" : ", " + r.accepted() + " accepted, " + r.rejected()
                        + " rejected");
    }

    void printJson(PrintStream out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("settings", Json.MAPPER.valueToTree(settings));
        ArrayNode writes = root.putArray("writes");
        for (LoadResult r : loads) {
            ObjectNode row = writes.addObject();
            row.put("scenario", r.scenario()).put("target", r.target()).put("opsPerSec", r.opsPerSec())
                    .put("ops", r.ops()).put("seconds", r.seconds()).put("targetRate", r.targetRate())
                    .put("p50Ms", r.latency().p50Ms()).put("p99Ms", r.latency().p99Ms())
                    .put("maxMs", r.latency().maxMs()).put("errors", r.errorCount());
            row.set("errorsByKind", Json.MAPPER.valueToTree(r.errors()));
        }
        root.set("apply", Json.MAPPER.valueToTree(applies));
        ObjectNode ratios = root.putObject("ratios");
        for (String scenario : scenarios()) {
            pair(scenario).ifPresent(p -> {
                ObjectNode node = ratios.putObject(scenario);
                // null where a side measured nothing: JSON has no NaN.
                node.putPOJO("throughput", ratioOrNull(p[0].opsPerSec(), p[1].opsPerSec()));
                node.putPOJO("p50", ratioOrNull(p[0].latency().p50Ms(), p[1].latency().p50Ms()));
                node.putPOJO("p99", ratioOrNull(p[0].latency().p99Ms(), p[1].latency().p99Ms()));
            });
        }
        ApplyRounds rounds = ApplyRounds.of(applies);
        if (!rounds.isEmpty()) {
            ObjectNode apply = ratios.putObject("apply");
            putSpread(apply, "throughput", rounds.throughputRatio());
            putSpread(apply, "cpuPerRecord", rounds.cpuRatio());
            ArrayNode each = apply.putArray("rounds");
            rounds.rounds().forEach(round -> each.addObject().put("round", round.number())
                    .putPOJO("throughput", orNull(round.throughputRatio()))
                    .putPOJO("cpuPerRecord", orNull(round.cpuRatio())));
        }
        if (!costs.isEmpty()) {
            root.set("cost", WriteCostTables.of(costs).toJson());
        }
        root.set("loadAverages", Json.MAPPER.valueToTree(loadAverages));
        root.put("cores", Runtime.getRuntime().availableProcessors());
        out.println(Json.writeString(root));
        out.flush();
    }

    private List<String> scenarios() {
        return loads.stream().map(LoadResult::scenario).distinct().toList();
    }

    /** The router and raw results of a scenario, in that order, if both ran. */
    private Optional<LoadResult[]> pair(String scenario) {
        Optional<LoadResult> router = find(scenario, "router");
        Optional<LoadResult> raw = find(scenario, "raw-kafka");
        return router.isPresent() && raw.isPresent() ? Optional.of(new LoadResult[] {router.get(), raw.get()})
                : Optional.empty();
    }

    private Optional<LoadResult> find(String scenario, String target) {
        return loads.stream().filter(r -> r.scenario().equals(scenario) && r.target().equals(target)).findFirst();
    }

    private static Double ratioOrNull(double a, double b) {
        return orNull(ApplyRounds.quotient(a, b));
    }

    /** {@code name} (the median), {@code nameMin}, {@code nameMax} and {@code nameRounds} (how many measured it). */
    private static void putSpread(ObjectNode node, String name, ApplyRounds.Spread spread) {
        node.putPOJO(name, orNull(spread.median())).putPOJO(name + "Min", orNull(spread.min()))
                .putPOJO(name + "Max", orNull(spread.max())).put(name + "Rounds", spread.count());
    }

    private static String rounds(int count) {
        return count + (count == 1 ? " round" : " rounds");
    }

    private static Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }

    /** A ratio to two decimals followed by {@code unit}, n/a when NaN. */
    private static String ratio(double value, String unit) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value) + unit;
    }

    /** {@code median (min-max)}, n/a when no round measured it. */
    private static String spread(ApplyRounds.Spread s, String unit) {
        return s.count() == 0 ? "n/a" : ratio(s.median(), unit) + " (" + ratio(s.min(), unit) + "-"
                + ratio(s.max(), unit) + ")";
    }

    /** {@code a / b} to two decimals, or n/a when either side measured nothing. */
    private static String ratio(double a, double b) {
        return ratio(ApplyRounds.quotient(a, b), "");
    }

    private static String ms(double millis) {
        return millis >= 100 ? String.format("%.0f", millis) : String.format("%.2f", millis);
    }
}
