package io.meridian.bench;

import java.util.List;

/** The tables of {@code meridian bench failover}: every trial, then medians and maxima per session timeout. */
final class FailoverReport {
    private static final String KILLS = "kill -9 of us-east's node, every trial (s from the kill)";
    private static final String KILL_SUMMARY = "failover time: kill -9 -> first write accepted in the new primary (s)";
    private static final String HANDOVERS = "graceful stop (SIGTERM) of the controller's node, every run (ms)";
    private static final String HANDOVER_SUMMARY = "controller handover on graceful stop (ms)";

    private final TableReport report;

    FailoverReport(TableReport report) {
        this.report = report;
        report.table(KILL_SUMMARY, "session ms", "killed node was", "n", "median s", "max s", "election median s",
                "placement median s", "load");
        report.table(HANDOVER_SUMMARY, "session ms", "n", "median ms", "max ms", "exit median ms", "load");
        report.table(KILLS, "session ms", "run", "controller", "killed", "election s", "placement s",
                "first write s", "new primary", "last ack s", "writes ok", "writes failed", "load");
        report.table(HANDOVERS, "session ms", "run", "stopped", "epoch", "new leader", "new epoch", "handover ms",
                "exit ms", "load");
    }

    void kill(int sessionMs, int run, FailoverTrial.Result r) {
        report.table(KILLS).row(sessionMs, run, r.controller() + " (epoch " + r.controllerEpoch() + ")",
                r.controllerKilled() ? "controller" : "follower", s(r.electionMs()), s(r.placementMs()),
                s(r.acceptedMs()), r.newPrimary() == null ? "none" : r.newPrimary(), s(r.lastAckMs()), r.writesOk(),
                r.writesFailed(), r.load());
    }

    void handover(int sessionMs, int run, HandoverTrial.Result r) {
        report.table(HANDOVERS).row(sessionMs, run, r.stoppedRegion(), r.oldEpoch(),
                r.newRegion() == null ? "none" : r.newRegion(), r.newEpoch(), r.handoverMs(), r.exitMs(), r.load());
    }

    void summarize(int sessionMs, List<FailoverTrial.Result> kills, List<HandoverTrial.Result> handovers) {
        double load = Summary.loadAverage();
        for (boolean controller : List.of(true, false)) {
            List<FailoverTrial.Result> group = kills.stream().filter(k -> k.controllerKilled() == controller).toList();
            if (group.isEmpty()) {
                continue;
            }
            Summary accepted = Summary.of(group.stream().map(FailoverTrial.Result::acceptedMs).toList());
            Summary election = Summary.of(group.stream().map(FailoverTrial.Result::electionMs).toList());
            Summary placement = Summary.of(group.stream().map(FailoverTrial.Result::placementMs).toList());
            long missed = group.size() - accepted.n();
            report.table(KILL_SUMMARY).row(sessionMs, controller ? "controller" : "follower",
                    accepted.n() + (missed > 0 ? " (+" + missed + " no failover)" : ""), s(accepted.p50()),
                    s(accepted.max()), s(election.p50()), s(placement.p50()),
                    group.stream().mapToDouble(FailoverTrial.Result::load).average().orElse(load));
        }
        if (!handovers.isEmpty()) {
            Summary handover = Summary.of(handovers.stream().map(HandoverTrial.Result::handoverMs).toList());
            Summary exit = Summary.of(handovers.stream().map(HandoverTrial.Result::exitMs).toList());
            report.table(HANDOVER_SUMMARY).row(sessionMs, handover.n(), handover.p50(), handover.max(), exit.p50(),
                    handovers.stream().mapToDouble(HandoverTrial.Result::load).average().orElse(load));
        }
    }

    /** Milliseconds as seconds (a Double, NaN kept). */
    private static Double s(double millis) {
        return millis / 1000;
    }
}
