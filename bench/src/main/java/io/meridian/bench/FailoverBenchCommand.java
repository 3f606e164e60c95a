package io.meridian.bench;

import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian bench failover}: failover time after a region's node crashes, per ZooKeeper session timeout, and
 * controller handover time on a graceful stop. Runs its own deployment per session timeout (see
 * {@link BenchDeployment}); asserts nothing.
 */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Failover time from kill -9 of us-east's node to the first write accepted in the tenant's new"
                + " primary, per ZooKeeper session timeout, with and without the controller on the killed node; and"
                + " controller handover time on a graceful stop (SIGTERM).",
                "Starts its own deployment (ZooKeeper, 3 brokers, 3 nodes) per session timeout in a temporary"
                        + " directory on free ports. Progress on stderr, the report on stdout. It takes a while:"
                        + " every trial restarts a node."})
public final class FailoverBenchCommand implements Callable<Integer> {

    @Option(names = "--session-timeouts", split = ",", defaultValue = "4000,8000",
            description = "zookeeper.session.timeout.ms values, one deployment each (default: ${DEFAULT-VALUE}).")
    List<Integer> sessionTimeouts;

    @Option(names = "--runs", defaultValue = "3", description = "Kills per session timeout and killed role"
            + " (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--killed", defaultValue = "both", description = "Which role the killed us-east node has:"
            + " ${COMPLETION-CANDIDATES}; the controller is moved by graceful restarts (each one a handover sample)"
            + " (default: ${DEFAULT-VALUE}).")
    FailoverRoles.Role killed;

    @Option(names = "--handover-runs", defaultValue = "3", description = "Graceful handovers measured at least, per"
            + " session timeout (those made to place the controller count) (default: ${DEFAULT-VALUE}).")
    int handoverRuns;

    @Option(names = "--heartbeat-ms", defaultValue = "500", description = "health.heartbeat.interval.ms (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--leader-timeout-ms", defaultValue = "3000", description = "failover.leader.timeout.ms (default: ${DEFAULT-VALUE}).")
    long leaderTimeoutMs;

    @Option(names = "--inhibit-window-ms", defaultValue = "1000", description = "failover.inhibit.window.ms (default: ${DEFAULT-VALUE}).")
    long inhibitWindowMs;

    @Option(names = "--setting", paramLabel = "KEY=VALUE", description = "Any other node setting, repeatable.")
    Map<String, String> extraSettings = new LinkedHashMap<>();

    @Option(names = "--rate", defaultValue = "100", description = "Writes per second to the trial tenant in us-east"
            + " before and during the kill (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warmup", defaultValue = "60s", converter = DurationConverter.class,
            description = "Write load on eu-west and ap-south before the first trial of each deployment, for the JIT"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--warmup-rate", defaultValue = "500", description = "Writes per second during the warm-up"
            + " (default: ${DEFAULT-VALUE}).")
    int warmupRate;

    @Option(names = "--trial-timeout", defaultValue = "120s", converter = DurationConverter.class,
            description = "Give up on a trial's failover after this long (default: ${DEFAULT-VALUE}).")
    Duration trialTimeout;

    @Option(names = "--json", description = "Print the report as JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        BenchLogging.warningsToStderr();
        TableReport report = new TableReport("meridian bench failover");
        report.setting("sessionTimeoutsMs", sessionTimeouts);
        report.setting("runs", runs);
        report.setting("killed", killed);
        report.setting("nodeSettings", nodeSettings(0).entrySet().stream()
                .filter(e -> !e.getKey().equals(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS)).toList().toString());
        report.setting("rate", rate);
        report.setting("warmup", Progress.seconds(warmup));
        FailoverReport tables = new FailoverReport(report);
        for (int timeout : sessionTimeouts) {
            runDeployment(timeout, tables);
        }
        report.note("first write = kill -9 of us-east's node until the trial tenant's first write is answered 201 by"
                + " its new primary; placement = the new primary visible in eu-west's placement view; election = a"
                + " new controller with a higher epoch in eu-west's view (only when the killed node was the"
                + " controller); last ack = the last write us-east acknowledged, relative to the kill");
        report.note("handover = SIGTERM of the controller's node until another node names a new leader with a higher"
                + " epoch; exit = until that JVM exited. Medians and maxima are nearest-rank over the runs");
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return 0;
    }

    private void runDeployment(int sessionTimeout, FailoverReport tables) {
        List<FailoverTrial.Result> kills = new ArrayList<>();
        List<HandoverTrial.Result> handovers = new ArrayList<>();
        try (BenchDeployment deployment = BenchDeployment.start(nodeSettings(sessionTimeout))) {
            FailoverRoles roles = new FailoverRoles(deployment, heartbeatMs, handovers::add);
            roles.warmUp(warmup, warmupRate);
            List<FailoverRoles.Role> plan = killed.plan(runs);
            for (int i = 0; i < plan.size(); i++) {
                Progress.line("session timeout %d ms: trial %d/%d, killing us-east as %s", sessionTimeout, i + 1,
                        plan.size(), plan.get(i));
                roles.arrange(plan.get(i));
                FailoverTrial.Result result = FailoverTrial.run(deployment, "fo-" + sessionTimeout + "-" + (i + 1),
                        rate, trialTimeout);
                kills.add(result);
                tables.kill(sessionTimeout, i + 1, result);
                roles.recover(FailoverTrial.VICTIM);
            }
            while (handovers.size() < handoverRuns) {
                Progress.line("session timeout %d ms: graceful handover %d/%d", sessionTimeout, handovers.size() + 1,
                        handoverRuns);
                roles.handover();
            }
        }
        for (int i = 0; i < handovers.size(); i++) {
            tables.handover(sessionTimeout, i + 1, handovers.get(i));
        }
        tables.summarize(sessionTimeout, kills, handovers);
    }

    private Map<String, String> nodeSettings(int sessionTimeout) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS, Integer.toString(sessionTimeout));
        settings.put(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS, Long.toString(heartbeatMs));
        settings.put(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS, Long.toString(leaderTimeoutMs));
        settings.put(ControllerConfigs.FAILOVER_INHIBIT_WINDOW_MS, Long.toString(inhibitWindowMs));
        settings.putAll(extraSettings);
        return settings;
    }
}
