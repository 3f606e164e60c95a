package io.meridian.bench;

import java.util.List;

/** The tables of {@code meridian bench migration}: one row per rate, then every migration. */
final class MigrationReport {
    private static final String SERIES = "migrations per write rate (ms)";
    private static final String WRITES = "writes per write rate (latency ms from the scheduled time)";
    private static final String RUNS = "every migration (ms)";

    private final TableReport report;

    MigrationReport(TableReport report) {
        this.report = report;
        report.table(SERIES, "rate/s", "n", "pause p50", "pause p99", "pause max", "asked p50", "answered p50",
                "total p50", "total max", "validate p50", "client p50", "not completed", "seen by answer", "load");
        report.table(WRITES, "rate/s", "sent/s", "during p50", "during p99", "during max", "during errors",
                "migrated p99", "migrated max", "migrated ok", "migrated errors", "between p99", "between errors",
                "error kinds");
        report.table(RUNS, "rate/s", "run", "from", "to", "state", "pause", "asked", "answered", "total", "validate",
                "client", "seen by", "load");
    }

    void migration(int rate, int run, MigrationTrial.Result r) {
        report.table(RUNS).row(rate, run, r.from(), r.to(), r.state(), r.pauseMs(), r.askedMs(), r.answeredMs(),
                r.totalMs(), r.validateMs(), r.clientMs(), r.seenBy(), r.load());
    }

    void series(int rate, List<MigrationTrial.Result> results, LoadWindow during, LoadWindow between,
                double sentPerSecond) {
        Summary pause = Summary.of(results.stream().map(MigrationTrial.Result::pauseMs).toList());
        Summary asked = Summary.of(results.stream().map(MigrationTrial.Result::askedMs).toList());
        Summary answered = Summary.of(results.stream().map(MigrationTrial.Result::answeredMs).toList());
        Summary total = Summary.of(results.stream().map(MigrationTrial.Result::totalMs).toList());
        Summary validate = Summary.of(results.stream().map(MigrationTrial.Result::validateMs).toList());
        Summary client = Summary.of(results.stream().map(MigrationTrial.Result::clientMs).toList());
        long failed = results.stream().filter(r -> !r.completed()).count();
        long byAnswer = results.stream().filter(r -> r.seenBy().equals("answer")).count();
        report.table(SERIES).row(rate, pause.n(), pause.p50(), pause.p99(), pause.max(), asked.p50(), answered.p50(),
                total.p50(), total.max(),
                validate.p50(), client.p50(), failed, byAnswer, results.stream()
                        .mapToDouble(MigrationTrial.Result::load).average().orElse(Summary.loadAverage()));
        if (rate == 0) {
            return;
        }
        if (sentPerSecond < 0.9 * rate) {
            report.note(String.format("at %d writes/s only %.0f writes/s could be sent (%s): the deployment was"
                    + " saturated, so write latencies there are mostly queueing in the client", rate, sentPerSecond,
                    "the in-flight cap was reached"));
        }
        LatencyRecorder.LatencyStats all = during.all().latency();
        LatencyRecorder.LatencyStats focused = during.focused().latency();
        LatencyRecorder.LatencyStats steady = between.all().latency();
        String kinds = during.all().errors().isEmpty() && between.all().errors().isEmpty() ? "-"
                : "during " + during.all().errors() + " between " + between.all().errors();
        report.table(WRITES).row(rate, sentPerSecond, ms(all), all.p99Ms(), all.maxMs(), during.all().errorCount(),
                focused.count() == 0 ? Double.NaN : focused.p99Ms(),
                focused.count() == 0 ? Double.NaN : focused.maxMs(), during.focused().ok(),
                during.focused().errorCount(), steady.count() == 0 ? Double.NaN : steady.p99Ms(),
                between.all().errorCount(), kinds);
    }

    private static Double ms(LatencyRecorder.LatencyStats stats) {
        return stats.count() == 0 ? Double.NaN : stats.p50Ms();
    }
}
