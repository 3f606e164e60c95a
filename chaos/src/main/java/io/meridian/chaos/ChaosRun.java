package io.meridian.chaos;

import io.meridian.chaos.check.Availability;
import io.meridian.chaos.check.Checker;
import io.meridian.chaos.check.FinalReads;
import io.meridian.chaos.check.Findings;
import io.meridian.chaos.check.LogScan;
import io.meridian.chaos.check.MemberLoss;
import io.meridian.chaos.fault.ChaosDeployment;
import io.meridian.chaos.fault.FailoverBudget;
import io.meridian.chaos.fault.Fault;
import io.meridian.chaos.fault.FaultInjector;
import io.meridian.chaos.fault.Schedule;
import io.meridian.chaos.history.FaultEvent;
import io.meridian.chaos.history.History;
import io.meridian.chaos.history.Op;
import io.meridian.chaos.workload.GoodClient;
import io.meridian.chaos.workload.HttpApi;
import io.meridian.chaos.workload.IngestWriter;
import io.meridian.chaos.workload.Tenants;
import io.meridian.chaos.workload.Workload;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.WalPartitioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run on a running deployment: fresh tenants, the workload, the seed's fault schedule, then (faults healed) the
 * final reads, the log scan and every check. Single use.
 */
final class ChaosRun {
    private static final Duration OP_DEADLINE = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(90);
    /**
     * How long, once the faults healed, ingest requests may still take to get their outcome: a request on a partition
     * of a killed node waits for the group to drop that member (the consumer's session timeout, 45 s) and then for the
     * node that takes the partition over.
     */
    private static final Duration INGEST_OUTCOMES = Duration.ofSeconds(120);
    private static final int WAL_PARTITIONS = ChaosDeployment.WAL_PARTITIONS;

    private final ChaosDeployment deployment;
    private final Fault fault;
    private final long seed;
    private final Duration duration;
    private final int writers;
    private final String backend;
    private final String name;
    private final Path historyFile;

    ChaosRun(ChaosDeployment deployment, Fault fault, long seed, Duration duration, int writers, String backend,
             int index, Path outDir) {
        this.deployment = deployment;
        this.fault = fault;
        this.seed = seed;
        this.duration = duration;
        this.writers = writers;
        this.backend = backend;
        this.name = "r" + index + "s" + seed;
        this.historyFile = outDir.resolve(name + "-" + fault.cliName() + ".jsonl");
    }

    RunResult run() {
        Progress.line("run %s: %s, seed %d, %d s", name, fault.cliName(), seed, duration.toSeconds());
        Tenants tenants = Tenants.of(name, deployment.regions());
        // Longer than the router's write.apply.timeout.ms (10 s): its 503 apply_timeout, not our timeout, ends a write.
        HttpApi api = new HttpApi(deployment.adminToken(), Duration.ofSeconds(15));
        GoodClient client = new GoodClient(api, deployment.nodeUrls(), OP_DEADLINE);
        try (History history = new History(historyFile)) {
            long epochAtZero = System.currentTimeMillis() - history.now();
            place(api, tenants);
            // Read-backs wait at most the router's min-position wait (2 s) and a little more for an answer.
            GoodClient reader = new GoodClient(new HttpApi(deployment.adminToken(), Duration.ofSeconds(4)),
                    deployment.nodeUrls(), Workload.READ_DEADLINE);
            Workload workload = new Workload(client, reader, history, tenants, name, writers, seed, true);
            FaultInjector injector = new FaultInjector(deployment, history, tenants);
            Schedule schedule = Schedule.of(seed, fault, duration.toMillis(), deployment.nodesPerRegion());
            IngestWriter ingest = new IngestWriter(deployment.bootstrapServers(), history, tenants, name);
            long start = history.now();
            try {
                ingest.start();
                workload.start();
                try {
                    for (Schedule.Step step : schedule.steps()) {
                        waitUntil(history, start + step.atMs());
                        runStep(injector, history, step);
                    }
                    waitUntil(history, start + duration.toMillis());
                } finally {
                    workload.close();
                    ingest.stopWriting();
                }
            } catch (RuntimeException e) {
                ingest.close();
                throw e;
            }
            long end = history.now();
            String load = loadAverage();
            Progress.line("run %s: workload done (%d operations), load average %s; healing and checking", name,
                    history.ops().size(), load);
            Map<String, Long> errors = new TreeMap<>(client.errorsByCode());
            reader.errorsByCode().forEach((code, n) -> errors.merge(code, n, Long::sum));
            try {
                return check(history, tenants, start, end, errors, load, epochAtZero, ingest);
            } finally {
                ingest.close();
            }
        }
    }

    private void runStep(FaultInjector injector, History history, Schedule.Step step) {
        try {
            Progress.line("  %.1f s: %s (hold %.1f s)", history.now() / 1000.0, step.fault().cliName(),
                    step.holdMs() / 1000.0);
            FaultInjector.Heal heal = injector.inject(step);
            pause(Duration.ofMillis(step.holdMs()));
            heal.heal();
        } catch (RuntimeException e) {
            // The deployment may be half down: record it, bring everything back, and let the checker judge.
            history.record(new FaultEvent(history.now(), step.fault().cliName(), "error", "", -1, e.toString()));
            Progress.line("  fault %s failed: %s", step.fault().cliName(), e);
            healEverything();
        }
    }

    private void healEverything() {
        deployment.processes().resumeAll();
        for (int i = 0; i < deployment.local().kafka().brokerCount(); i++) {
            if (!deployment.local().kafka().isBrokerRunning(i)) {
                deployment.restartBroker(i);
            }
        }
        if (!deployment.local().zookeeper().isRunning()) {
            deployment.local().zookeeper().restart();
        }
        deployment.regions().forEach(deployment::restartNode);
    }

    private RunResult check(History history, Tenants tenants, long start, long end, Map<String, Long> errors,
                            String load, long epochAtZero, IngestWriter ingest) {
        healEverything();
        deployment.awaitAllReady(ChaosDeployment.READY_TIMEOUT);
        int requests = ingest.finish(INGEST_OUTCOMES);
        Progress.line("run %s: %d ingest requests, outcomes read", name, requests);
        List<Op> ops = history.ops();
        Checker checker = new Checker(ops);
        HttpApi api = new HttpApi(deployment.adminToken(), Duration.ofSeconds(10));
        Settle settle = new Settle(api, deployment.regionUrls(), SETTLE);
        long unfinished = settle.unfinishedMigrations(checker.migrationIds(), checker.examples())
                + settle.pausedTenants(tenants.names(), checker.examples());
        LogScan scan = LogScan.read(deployment.bootstrapServers(), Duration.ofSeconds(60));
        Map<String, Position> tokens = new HashMap<>(checker.lastAcknowledged());
        for (String tenant : tenants.names()) {
            int partition = WalPartitioner.partitionOf(tenant, WAL_PARTITIONS);
            Long last = scan.lastOffsets().get(partition);
            if (last != null) {
                tokens.merge(tenant, new Position(partition, last), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        GoodClient reader = new GoodClient(api, deployment.nodeUrls(), Duration.ofSeconds(30));
        FinalReads reads = FinalReads.read(reader, checker.keysByTenant(), tokens, tenants.regions());
        long[] lost = checker.lostAndOverwritten(reads);
        long[] duplicates = checker.duplicates(reads, scan.positionsByWriteId(), scan.writeIdAt());
        long[] ingested = {checker.ingestRequests(), checker.ingestWithoutOutcome(), checker.ingestPositionConflicts()};
        List<String> examples = new ArrayList<>(checker.examples());
        MemberLoss.Marked windows = MemberLoss.mark(Availability.perFault(ops, history.faults(), tenants.names(), end,
                budget()::forFault), scan.failovers(), epochAtZero, end, examples);
        Findings findings = new Findings(lost[0] + duplicates[1], lost[1], duplicates[0], checker.staleReads(),
                checker.controllerConflicts(scan.stamped()), unfinished, checker.divergentTenants(reads),
                checker.unreadable(reads), Availability.worstTenantGap(ops, tenants.names(), start, end),
                windows.windows(), errors, windows.failovers(), ingested[0], ingested[1],
                ingested[2], examples);
        long acked = ops.stream().filter(Op::acknowledgedWrite).count();
        return new RunResult(name, fault.cliName(), seed, backend, end - start, ops.size(), acked, findings, load,
                historyFile.toString(), deployment.nodesPerRegion());
    }

    private FailoverBudget budget() {
        return FailoverBudget.of(deployment.dir().resolve("nodes").resolve(deployment.regions().get(0) + ".properties"));
    }

    /** Places the run's tenants, retrying while the controller is being elected or Kafka settles. */
    private void place(HttpApi api, Tenants tenants) {
        for (String tenant : tenants.names()) {
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (true) {
                String url = deployment.regionUrls().get(tenants.firstPrimary(tenant));
                var answer = api.send("PUT", url + "/admin/tenants/" + tenant + "/placement",
                        tenants.placementBody(tenant), Map.of());
                if (answer.ok()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot place " + tenant + ": " + answer.status() + " "
                            + answer.code());
                }
                pause(Duration.ofSeconds(1));
            }
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void waitUntil(History history, long atMs) {
        long left = atMs - history.now();
        if (left > 0) {
            pause(Duration.ofMillis(left));
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
