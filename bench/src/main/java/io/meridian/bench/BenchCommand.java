package io.meridian.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.meridian.bench.cost.CostWindow;
import io.meridian.bench.cost.WatchedProcess;
import io.meridian.bench.cost.WriteCostProbe;
import io.meridian.node.LocalDeployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian bench}: what Meridian costs over bare Kafka, measured in one run on one running cluster. Writes
 * through the router against a bare producer (closed loop at equal concurrency, open loop at equal rate), and the
 * region applier against a bare exactly-once Streams app (records per second). Prints figures; asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {FailoverBenchCommand.class, MigrationBenchCommand.class, ScaleBenchCommand.class},
        description = {"Benchmark a running Meridian (e.g. 'meridian local') against raw Kafka, same cluster:",
                "  write  closed loop: N writers via the router vs N senders on a producer",
                "  rate   open loop at a fixed rate, latency from the scheduled time",
                "  apply  region applier vs a raw exactly-once Streams app into RocksDB",
                "  concern  closed loop via the router: local acknowledgement vs --write-concern (default all)",
                "Progress goes to stderr, the report to stdout. It takes minutes."})
public final class BenchCommand implements Callable<Integer> {
    /** The region of {@code --url}, where the bench tenants are placed. */
    static final String PRIMARY_REGION = "us-east";

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8081",
            description = "Node of the bench tenants' primary region, us-east (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: kafka.bootstrap.servers of"
            + " <data-dir>/nodes/us-east.properties).")
    String bootstrap;

    @Option(names = "--admin-token", description = "Admin token (default: $MERIDIAN_ADMIN_TOKEN, else"
            + " <data-dir>/admin-token).")
    String adminToken;

    @Option(names = "--data-dir", defaultValue = ".meridian/local",
            description = "Data directory of 'meridian local', for the defaults above (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--only", description = "Run one part: ${COMPLETION-CANDIDATES} (default: all).")
    Part only;

    @Option(names = "--writers", defaultValue = "64", description = "Closed-loop concurrency (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--rate", defaultValue = "5000", description = "Open-loop writes per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--warmup", defaultValue = "60s", converter = DurationConverter.class,
            description = "Unmeasured load before each target's first measurement, and the apply warm-up passes;"
                    + " the JIT needs over a minute after a JVM starts (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--settle", defaultValue = "5s", converter = DurationConverter.class,
            description = "Unmeasured load before every later scenario of an already warm target (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
            description = "Measured window of each write scenario (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--records", defaultValue = "200000",
            description = "Puts appended to the WAL for the apply benchmark (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--apply-rounds", defaultValue = "3",
            description = "Measured rounds of the apply benchmark, each a pass of both apps; the report gives the"
                    + " median and the range (default: ${DEFAULT-VALUE}).")
    int applyRounds;

    @Option(names = "--value-bytes", defaultValue = "200", description = "Size of each JSON document (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--tenants", defaultValue = "36",
            description = "Bench tenants, rounded up to cover every WAL partition equally (default: ${DEFAULT-VALUE}).")
    int tenants;

    @Option(names = "--replicas", split = ",", paramLabel = "REGION",
            description = "Regions the bench tenants are replicated to, us-east among them; every region applies and"
                    + " stores each write, so on one machine each costs the others CPU (default: us-east,eu-west,"
                    + "ap-south). Other sets use other tenants.")
    List<String> replicas = LocalDeployment.REGIONS;

    @Option(names = "--keys", defaultValue = "1000", description = "Document keys per tenant (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--max-in-flight", defaultValue = "1024",
            description = "Open loop: most writes outstanding; beyond it sends wait, and the wait counts as latency"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--write-concern", paramLabel = "local|majority|all|regions=N",
            description = "Also measure writes sent with this X-Meridian-Write-Concern against local acknowledgement,"
                    + " in one run, closed loop with --writers (the 'concern' part; with --only concern, 'all' when"
                    + " not given).")
    String writeConcern;

    @Option(names = "--json", description = "Print the report as JSON instead of a table.")
    boolean json;

    @Option(names = "--no-cost", description = "Do not measure what each acknowledged write of the closed loop costs"
            + " (Kafka records and bytes per topic, CPU of nodes and brokers, GC); that measurement's consumer reads"
            + " along with the load and adds a little of its own.")
    boolean noCost;

    enum Part { write, rate, apply, concern }

    @Override
    public Integer call() throws Exception {
        if (!replicas.contains(PRIMARY_REGION)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--replicas " + replicas
                    + " must include the primary region " + PRIMARY_REGION);
        }
        if (applyRounds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--apply-rounds " + applyRounds
                    + " must be at least 1");
        }
        logToStderr();
        String kafka = bootstrap != null ? bootstrap : BenchSetup.bootstrapFromLocal(dataDir);
        String token = BenchSetup.adminToken(adminToken, dataDir);
        Report report = new Report();
        report.setting("url", url);
        report.setting("kafka", kafka);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            int partitions = BenchSetup.walPartitions(admin);
            BenchSetup setup = new BenchSetup(http, url, token);
            Progress.line("kafka %s, router %s, %d WAL partitions", kafka, url, partitions);
            report.setting("valueBytes", Workload.of(List.of(), Map.of(), keys, valueBytes).body().length);
            if (only == null || only != Part.apply) {
                // The same tenants every run for a set of replicas (placing them again changes nothing); a tenant's
                // replicas are not changed under it.
                String prefix = replicas.equals(LocalDeployment.REGIONS) ? "bench-"
                        : "bench-" + String.join("-", replicas) + "-";
                List<String> names = BenchSetup.pickTenants(prefix, tenants, partitions);
                Workload workload = Workload.of(names, setup.placeTenants(names, replicas, true), keys, valueBytes);
                report.setting("tenants", names.size());
                report.setting("replicas", String.join(",", replicas));
                BenchSetup.createBenchTopic(admin, partitions);
                runWrites(http, kafka, workload, report);
            }
            if (only == null || only == Part.apply) {
                report.setting("records", records);
                report.setting("applyWarmup", Progress.seconds(warmup));
                report.setting("applyRounds", applyRounds);
                new ApplyBenchmark(kafka, admin, setup, records, warmup, applyRounds)
                        .run(partitions, tenants, keys, valueBytes).forEach(report::add);
            }
        }
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return 0;
    }

    private void runWrites(HttpClient http, String kafka, Workload workload, Report report) {
        WriteLoad load = new WriteLoad();
        Set<String> warm = new HashSet<>();
        WriteCostProbe probe = !noCost && (only == null || only == Part.write)
                ? WriteCostProbe.create(kafka, dataDir, http) : null;
        if (probe != null) {
            Progress.line("cost of each write: cpu of %s", probe.processes().stream().map(WatchedProcess::label).toList());
        }
        try (WriteTarget router = new RouterTarget(PRIMARY_REGION, url, workload);
             WriteTarget raw = new RawProducerTarget(kafka, workload)) {
            if (only == null || only == Part.write) {
                String scenario = "closed " + writers + " writers";
                report.setting("writers", writers);
                for (WriteTarget target : List.of(router, raw)) {
                    Progress.line("%s: %s", scenario, target.name());
                    if (probe == null) {
                        report.add(load.closedLoop(scenario, target, writers, warmupFor(target, warm), duration));
                        continue;
                    }
                    CostWindow window = probe.newWindow();
                    LoadResult result = load.closedLoop(scenario, target, writers, warmupFor(target, warm), duration,
                            window::opening, window::closing);
                    report.add(result);
                    report.add(window.result(scenario, target.name(), result.ops()));
                }
            }
            String concern = writeConcern != null ? writeConcern : only == Part.concern ? "all" : null;
            if (concern != null && (only == null || only == Part.concern)) {
                // Both in one run, alternating, so that the machine's load weighs on each alike.
                report.setting("writeConcern", concern);
                report.setting("writers", writers);
                try (WriteTarget withConcern = new RouterTarget(PRIMARY_REGION, url, workload, concern)) {
                    for (int round = 1; round <= 2; round++) {
                        String scenario = "concern " + writers + " writers #" + round;
                        for (WriteTarget target : List.of(router, withConcern)) {
                            Progress.line("%s: %s", scenario, target.name());
                            report.add(load.closedLoop(scenario, target, writers, warmupFor(target, warm),
                                    duration));
                        }
                    }
                }
            }
            if (only == null || only == Part.rate) {
                String scenario = "open " + rate + "/s";
                report.setting("rate", rate);
                for (WriteTarget target : List.of(router, raw)) {
                    Progress.line("%s: %s", scenario, target.name());
                    report.add(load.openLoop(scenario, target, rate, maxInFlight, warmupFor(target, warm), duration));
                }
            }
            report.setting("warmup", Progress.seconds(warmup));
            report.setting("settle", Progress.seconds(settle));
            report.setting("duration", Progress.seconds(duration));
        }
    }

    /** The full warm-up before a target's first measurement in this run, a short settle before later ones. */
    private Duration warmupFor(WriteTarget target, Set<String> warm) {
        return warm.add(target.name()) ? warmup : settle;
    }

    /**
     * Kafka's WARN lines must not land in the report (or break --json): send the launcher's log to stderr. Silence the
     * warnings every exactly-once pass prints by design (retries on CONCURRENT_TRANSACTIONS while the previous commit's
     * markers are written; a state directory under the OS temp dir), which would drown the progress lines.
     */
    private static void logToStderr() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        for (String noisy : List.of("org.apache.kafka.clients.producer.internals.Sender",
                "org.apache.kafka.clients.producer.internals.TransactionManager",
                "org.apache.kafka.streams.processor.internals.StateDirectory")) {
            context.getLogger(noisy).setLevel(Level.ERROR);
        }
        Appender<ILoggingEvent> appender = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
        if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
            console.stop();
            console.setTarget("System.err");
            console.start();
        }
    }
}
