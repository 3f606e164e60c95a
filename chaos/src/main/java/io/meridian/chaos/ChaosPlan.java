package io.meridian.chaos;

import io.meridian.chaos.fault.ChaosDeployment;
import io.meridian.chaos.fault.DiskFull;
import io.meridian.chaos.fault.FailoverBudget;
import io.meridian.chaos.fault.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every (fault, seed) pair, run one after the other on ONE deployment of the harness (starting one costs a minute on
 * two cores); each run has its own tenants, so their checks never mix. The directory is emptied first: the
 * deployment's state under {@code deployment/}, one JSON-lines history per run under {@code histories/}.
 *
 * @param backend        the controller election backend of every node ({@code election.backend})
 * @param nodesPerRegion nodes of each region (1 to 4), as {@code meridian local --nodes-per-region}
 */
public record ChaosPlan(List<Fault> faults, List<Long> seeds, Duration duration, int writers, String backend,
                        Path dir, int nodesPerRegion) {

    /** A plan on a deployment of one node per region. */
    public ChaosPlan(List<Fault> faults, List<Long> seeds, Duration duration, int writers, String backend, Path dir) {
        this(faults, seeds, duration, writers, backend, dir, 1);
    }

    public List<RunResult> execute() {
        Path root = dir.toAbsolutePath();
        DiskFull.unmountLeftovers(root);
        deleteRecursively(root);
        Progress.line("starting the harness's deployment in %s (election backend %s, %d node(s) per region)", root,
                backend, nodesPerRegion);
        long started = System.nanoTime();
        List<RunResult> results = new ArrayList<>();
        try (ChaosDeployment deployment = ChaosDeployment.start(root.resolve("deployment"),
                Map.of("election.backend", backend), nodesPerRegion)) {
            Progress.line("deployment ready in %.0f s; nodes %s", (System.nanoTime() - started) / 1e9,
                    deployment.nodeUrls());
            FailoverBudget budget = FailoverBudget.of(deployment.dir().resolve("nodes")
                    .resolve(deployment.regions().get(0) + ".properties"));
            Progress.line("failover budget: %s", budget);
            Progress.line("member-loss budget: %s", budget.memberLoss());
            deployment.diskFull().skipped().ifPresent(why -> Progress.line("disk-full will be skipped: %s", why));
            if (nodesPerRegion < 2 && faults.stream().anyMatch(Fault::needsSeveralNodes)) {
                Progress.line("member-kill will be skipped: every region has one node (--nodes-per-region 2 or more)");
            }
            int index = 0;
            for (long seed : seeds) {
                for (Fault fault : faults) {
                    RunResult result = new ChaosRun(deployment, fault, seed, duration, writers, backend, ++index,
                            root.resolve("histories")).run();
                    Progress.line("run %s: %s", result.name(), result.safe() ? "safe"
                            : result.findings().safetyViolations() + " safety violations");
                    results.add(result);
                }
            }
        }
        return results;
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + path, e);
        }
    }
}
