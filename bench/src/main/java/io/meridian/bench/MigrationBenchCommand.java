package io.meridian.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian bench migration}: write-pause duration and total time of tenant migrations between us-east and
 * eu-west, under an open-loop write load at several rates, on a deployment of its own. Asserts nothing.
 */
@Command(name = "migration", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Migrations of a tenant between us-east and eu-west (alternating) under open-loop write load"
                + " at each rate: write-pause duration (writes_paused -> switched) and total time (requested ->"
                + " completed) from the meridian.migrations events, and the writes' latency and errors meanwhile.",
                "Starts its own deployment (ZooKeeper, 3 brokers, 3 nodes) in a temporary directory on free ports."
                        + " Progress on stderr, the report on stdout."})
public final class MigrationBenchCommand implements Callable<Integer> {
    private static final String SOURCE = "us-east";
    private static final String TARGET = "eu-west";
    /** A region counts as caught up within this many WAL entries (transaction markers keep it from exactly 0). */
    private static final long CAUGHT_UP_ENTRIES = 50;

    @Option(names = "--rates", split = ",", defaultValue = "0,200,1000",
            description = "Writes per second over all load tenants (paced, open loop), one series each; 0 = no load"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--runs", defaultValue = "10", description = "Migrations per rate (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--tenants", defaultValue = "12", description = "Load tenants, spread over the WAL partitions; the"
            + " first is the one migrated (default: ${DEFAULT-VALUE}).")
    int tenants;

    @Option(names = "--warmup", defaultValue = "60s", converter = DurationConverter.class,
            description = "Unmeasured load (and two migrations) before the first series, for the JIT"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--warmup-rate", defaultValue = "300", description = "Writes per second during the warm-up"
            + " (default: ${DEFAULT-VALUE}).")
    int warmupRate;

    @Option(names = "--settle", defaultValue = "10s", converter = DurationConverter.class,
            description = "Unmeasured load at each rate before its first migration (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Option(names = "--gap", defaultValue = "3s", converter = DurationConverter.class,
            description = "Load between two migrations (default: ${DEFAULT-VALUE}).")
    Duration gap;

    @Option(names = "--max-in-flight", defaultValue = "2048", description = "Most writes outstanding; beyond it the"
            + " sender waits and the wait counts as latency (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--migration-timeout", defaultValue = "90s", converter = DurationConverter.class,
            description = "How long the bench waits for one migration to end (default: ${DEFAULT-VALUE}).")
    Duration migrationTimeout;

    @Option(names = "--setting", paramLabel = "KEY=VALUE", description = "A node setting, repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print the report as JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        BenchLogging.warningsToStderr();
        TableReport report = new TableReport("meridian bench migration");
        report.setting("rates", rates);
        report.setting("runs", runs);
        report.setting("tenants", tenants);
        report.setting("warmup", Progress.seconds(warmup));
        report.setting("settle", Progress.seconds(settle));
        report.setting("gap", Progress.seconds(gap));
        report.setting("nodeSettings", settings);
        MigrationReport tables = new MigrationReport(report);
        try (BenchDeployment deployment = BenchDeployment.start(settings);
             MigrationEvents events = new MigrationEvents(deployment.bootstrap())) {
            List<String> names = BenchSetup.pickTenants("mig-", tenants, 12);
            String migrated = names.get(0);
            for (String tenant : names) {
                deployment.api().place(deployment.url(SOURCE), tenant, SOURCE, Duration.ofMinutes(1));
                deployment.api().awaitWritable(deployment.url(SOURCE), tenant, Duration.ofMinutes(1));
            }
            Workload workload = Workload.of(names, Map.of(), 1000, 200);
            report.setting("migratedTenant", migrated);
            report.setting("valueBytes", workload.body().length);
            Series series = new Series(deployment, events, workload, migrated);
            series.warmUp();
            for (int rate : rates) {
                series.run(rate, tables);
            }
        }
        report.note("pause = writes_paused -> switched, total = requested -> completed, both from the controller's"
                + " timestamps on meridian.migrations (taken as each step begins: the pause includes the pause"
                + " transaction's commit and the drain, not the switch's commit); asked = how far into the pause the"
                + " controller asked the target whether it applied the pause fence (the pause's transaction),"
                + " answered = from then to the target's answer (its applier reaching the fence, and the answer's way"
                + " back), both from the switch's reason; validate = requested ->"
                + " writes_paused; client = POST to the end read through GET /admin/migrations/{id} (polled every"
                + " 50 ms); load = the 1-minute load average of this machine");
        report.note("writes: open loop over all load tenants, to each tenant's current primary (a 307 is followed"
                + " and remembered); latency from the scheduled send time; 'during' = writes scheduled while a"
                + " migration ran (POST until its end was read), 'migrated' = those of the migrated tenant,"
                + " 'between' = the rest of the series");
        if (json) {
            report.printJson(System.out);
        } else {
            report.printTable(System.out);
        }
        return 0;
    }

    /** The migrations of one deployment: the migrated tenant's primary alternates between the two regions. */
    private final class Series {
        private final BenchDeployment deployment;
        private final MigrationEvents events;
        private final Workload workload;
        private final String migrated;
        private final PrimaryTarget target;
        private String primary = SOURCE;

        Series(BenchDeployment deployment, MigrationEvents events, Workload workload, String migrated) {
            this.deployment = deployment;
            this.events = events;
            this.workload = workload;
            this.migrated = migrated;
            this.target = new PrimaryTarget(deployment.api().http(), URI.create(deployment.url(SOURCE)), workload);
        }

        void warmUp() {
            if (warmup.isZero()) {
                return;
            }
            Progress.line("warm-up: %d writes/s for %s, then two migrations", warmupRate, Progress.seconds(warmup));
            try (PacedLoad load = warmupRate > 0 ? PacedLoad.start(target, warmupRate, maxInFlight) : null) {
                NodeApi.pause(warmup);
                migrate();
                migrate();
            }
        }

        void run(int rate, MigrationReport tables) {
            deployment.awaitCaughtUp(CAUGHT_UP_ENTRIES, Duration.ofMinutes(3));
            Progress.line("rate %d writes/s: %d migrations of %s", rate, runs, migrated);
            LoadWindow during = new LoadWindow(seq -> workload.tenant(seq).equals(migrated));
            LoadWindow between = LoadWindow.everything();
            List<MigrationTrial.Result> results = new ArrayList<>();
            long started;
            long sent;
            try (PacedLoad load = rate > 0 ? PacedLoad.start(target, rate, maxInFlight) : null) {
                NodeApi.pause(settle);
                started = System.nanoTime();
                long sentBefore = load == null ? 0 : load.sent();
                for (int run = 1; run <= runs; run++) {
                    measure(load, during);
                    MigrationTrial.Result result = migrate();
                    measure(load, between);
                    results.add(result);
                    tables.migration(rate, run, result);
                    NodeApi.pause(gap);
                }
                sent = load == null ? 0 : load.sent() - sentBefore;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            tables.series(rate, results, during, between, sent / seconds);
        }

        private MigrationTrial.Result migrate() {
            String to = primary.equals(SOURCE) ? TARGET : SOURCE;
            MigrationTrial.Result result = MigrationTrial.run(deployment, events, migrated, primary, to,
                    migrationTimeout);
            if (result.completed()) {
                primary = to;
            } else {
                primary = deployment.api().primary(deployment.url(SOURCE), migrated).orElse(primary);
            }
            return result;
        }

        private void measure(PacedLoad load, LoadWindow window) {
            if (load != null) {
                load.measureInto(window);
            }
        }
    }
}
