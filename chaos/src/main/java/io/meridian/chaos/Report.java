package io.meridian.chaos;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.meridian.chaos.check.Findings.FaultWindow;
import io.meridian.infra.serde.Json;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints runs as a table (one row per run, then one row per injected fault) or as JSON. */
final class Report {
    private Report() {
    }

    static void table(List<RunResult> runs, PrintStream out) {
        out.printf("%n%-28s %-6s %6s %6s %5s %5s %5s %5s %5s %5s %5s %8s  %s%n", "fault", "seed", "ops", "acked",
                "lost", "older", "dupl", "stale", "ctrl", "migr", "div", "unavail", "errors by code");
        for (RunResult run : runs) {
            var f = run.findings();
            out.printf("%-28s %-6d %6d %6d %5d %5d %5d %5d %5d %5d %5d %7.1fs  %s%n", run.fault(), run.seed(),
                    run.operations(), run.acknowledged(), f.lost(), f.overwrittenByOlder(), f.duplicates(),
                    f.staleReads(), f.controllerConflicts(), f.unfinishedMigrations(),
                    f.divergentTenants() + f.unreadable(), f.longestUnavailableMs() / 1000.0, codes(f.errorsByCode()));
        }
        out.printf("%nper fault (unavailable: longest time without an acknowledged write of one tenant / of any;"
                + " budget: what the configuration implies for the loss of a region's node(s), or of one node of"
                + " several for member-kill, see FailoverBudget)%n");
        out.printf("%-28s %-6s %-14s %8s %8s %10s %9s %8s  %s%n", "fault", "seed", "target", "at", "held", "worst",
                "any", "budget", "detail");
        for (RunResult run : runs) {
            for (FaultWindow w : run.findings().faults()) {
                out.printf("%-28s %-6d %-14s %7.1fs %7.1fs %9.1fs %8.1fs %8s  %s%n", w.fault(), run.seed(), w.target(),
                        w.atMs() / 1000.0, w.heldMs() / 1000.0, w.worstTenantGapMs() / 1000.0,
                        w.anyTenantGapMs() / 1000.0, w.budgetMs() == 0 ? "-" : w.budgetMs() / 1000.0 + "s",
                        w.detail());
            }
        }
        for (RunResult run : runs) {
            out.printf("%n%s (seed %d, %s, %d node(s) per region): %s%s; ingest: %d requests, %d without outcome, %d"
                            + " accepted at two positions; load average %s; history %s%n", run.name(),
                    run.seed(), run.backend(), run.nodesPerRegion(),
                    run.safe() ? "no safety violation" : run.findings().safetyViolations() + " SAFETY VIOLATIONS",
                    run.findings().memberLossFailovers() == 0 ? "" : "; FINDING: "
                            + run.findings().memberLossFailovers() + " automatic failover(s) of a region that only "
                            + "lost one of its nodes (member-kill)",
                    run.findings().ingestRequests(), run.findings().ingestWithoutOutcome(),
                    run.findings().ingestPositionConflicts(), run.loadAverage(), run.history());
            run.findings().examples().forEach(e -> out.println("  " + e));
            if (!run.safe()) {
                out.printf("  reproduce: bin/meridian chaos --faults %s --seed %d --backend %s%s%n", run.fault(),
                        run.seed(), run.backend(),
                        run.nodesPerRegion() > 1 ? " --nodes-per-region " + run.nodesPerRegion() : "");
            }
        }
    }

    static void json(List<RunResult> runs, PrintStream out) {
        try {
            out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Map.of("runs", runs, "safe", runs.stream().allMatch(RunResult::safe))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    private static String codes(Map<String, Long> codes) {
        return codes.isEmpty() ? "-" : codes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
