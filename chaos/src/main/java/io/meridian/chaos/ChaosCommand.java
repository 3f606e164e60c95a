package io.meridian.chaos;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.core.ConsoleAppender;
import io.meridian.chaos.fault.Fault;
import io.meridian.node.LocalDeployment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian chaos}: starts the harness's own deployment, runs every (fault, seed) pair on it, prints the
 * report and exits non-zero on any safety violation.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Fault harness: its own deployment, a workload, faults drawn from a seed, a history and a checker.")
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--faults", split = ",", paramLabel = "LIST",
            description = "fault kinds: broker-kill, broker-pause, node-kill, node-pause, zk-restart, "
                    + "controller-kill-at-migration, region-loss, disk-full, restart-all, poison, member-kill "
                    + "(needs --nodes-per-region 2 or more), mixed, or all "
                    + "(default: broker-kill,broker-pause,node-kill,zk-restart)")
    List<String> faults = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "D", description = "workload time per run, e.g. 60s, 2m (default 60s)")
    String duration = "60s";

    @Option(names = "--seeds", paramLabel = "N", description = "run seeds 1..N (default 1)")
    int seeds = 1;

    @Option(names = "--first-seed", paramLabel = "F",
            description = "with --seeds N, run seeds F..F+N-1 instead (a long tier in batches)")
    long firstSeed = 1;

    @Option(names = "--seed", paramLabel = "S", description = "run this one seed (reproduces a failing run)")
    Long seed;

    @Option(names = "--writers", description = "concurrent writers (default 6)")
    int writers = 6;

    @Option(names = "--backend", description = "controller election backend: zookeeper or kafka (default zookeeper)")
    String backend = "zookeeper";

    @Option(names = "--nodes-per-region", paramLabel = "N",
            description = "nodes in every region, 1 to 4, as 'meridian local --nodes-per-region' (default 1)")
    int nodesPerRegion = 1;

    @Option(names = "--dir", description = "state, logs and histories (default .meridian/chaos; emptied first)")
    Path dir = Path.of(".meridian", "chaos");

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }

    @Override
    public Integer call() {
        if (nodesPerRegion < 1 || nodesPerRegion > LocalDeployment.MAX_NODES_PER_REGION) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes-per-region must be 1 to "
                    + LocalDeployment.MAX_NODES_PER_REGION + ", got " + nodesPerRegion);
        }
        quietLogging();
        List<Long> seedList = new ArrayList<>();
        if (seed != null) {
            seedList.add(seed);
        } else {
            for (long s = firstSeed; s < firstSeed + seeds; s++) {
                seedList.add(s);
            }
        }
        ChaosPlan plan = new ChaosPlan(parseFaults(faults, nodesPerRegion), seedList, parseDuration(duration), writers,
                backend, dir, nodesPerRegion);
        List<RunResult> runs = plan.execute();
        if (json) {
            Report.json(runs, System.out);
        } else {
            Report.table(runs, System.out);
        }
        return runs.stream().allMatch(RunResult::safe) ? 0 : 1;
    }

    /**
     * The harness's own log lines (ZooKeeper, the cluster launcher) go to stderr at WARN: stdout carries the report
     * alone. Child processes are unaffected (they log to their files).
     */
    static void quietLogging() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.meridian")).setLevel(Level.WARN);
        root.iteratorForAppenders().forEachRemaining(appender -> {
            if (appender instanceof ConsoleAppender<?> console) {
                console.stop();
                console.setTarget("System.err");
                console.start();
            }
        });
    }

    static List<Fault> parseFaults(List<String> names) {
        return parseFaults(names, 1);
    }

    /** {@code all} is every kind the deployment's nodes per region allow ({@link Fault#kinds(int)}). */
    static List<Fault> parseFaults(List<String> names, int nodesPerRegion) {
        if (names.isEmpty()) {
            return Fault.CORE;
        }
        if (names.size() == 1 && "all".equals(names.get(0))) {
            return Fault.kinds(nodesPerRegion);
        }
        return names.stream().map(Fault::parse).toList();
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
    }
}
