package io.meridian.bench.cost;

import io.meridian.infra.cluster.BrokerMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds the processes of a {@code meridian local} deployment on this machine by their command lines: the region
 * nodes ({@code NodeCommand --config <data-dir>/nodes/<region>.properties}), the Kafka nodes
 * ({@code BrokerMain <parent-pid> <data-dir>/kafka/<name>/server.properties}) and the launcher they name as their
 * parent (which also runs ZooKeeper). The bench does not start that deployment, so it has no {@link Process} handles
 * of its own; the command line is what ties a process to the data directory. Stateless.
 */
public final class LocalProcesses {
    /** The node's main class; package-private in the node module, hence by name (a test checks it exists). */
    static final String NODE_MAIN = "io.meridian.node.NodeCommand";
    static final String BROKER_MAIN = BrokerMain.class.getName();

    private LocalProcesses() {
    }

    /**
     * The deployment's nodes, Kafka nodes and launcher, then this JVM; only this JVM when nothing of {@code dataDir}
     * runs here (a remote cluster).
     */
    public static List<WatchedProcess> find(Path dataDir) {
        Path root = dataDir.toAbsolutePath().normalize();
        long self = ProcessHandle.current().pid();
        List<WatchedProcess> found = new ArrayList<>();
        TreeSet<Long> parents = new TreeSet<>();
        ProcessHandle.allProcesses().forEach(process -> process.info().arguments().ifPresent(args -> {
            List<String> argList = Arrays.asList(args);
            classify(process.pid(), argList, root).ifPresent(watched -> {
                found.add(watched);
                parentPid(argList).ifPresent(parents::add);
            });
        }));
        for (long parent : parents) {
            if (parent != self && ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                found.add(new WatchedProcess(WatchedProcess.Role.LAUNCHER, "(ZooKeeper)", parent, null));
            }
        }
        found.add(new WatchedProcess(WatchedProcess.Role.BENCH, "(this JVM)", self, null));
        found.sort(Comparator.comparing(WatchedProcess::role).thenComparing(WatchedProcess::name));
        return found;
    }

    /** A node or Kafka node of the deployment under {@code root} (absolute, normalized), from its arguments. */
    static Optional<WatchedProcess> classify(long pid, List<String> args, Path root) {
        int node = args.indexOf(NODE_MAIN);
        if (node >= 0) {
            return argAfter(args, "--config").map(LocalProcesses::path)
                    .filter(config -> config.startsWith(root.resolve("nodes")))
                    .map(config -> new WatchedProcess(WatchedProcess.Role.NODE,
                            config.getFileName().toString().replaceFirst("\\.properties$", ""), pid, config));
        }
        int broker = args.indexOf(BROKER_MAIN);
        if (broker >= 0 && broker + 2 < args.size()) {
            Path config = path(args.get(broker + 2));
            if (config.startsWith(root.resolve("kafka")) && config.getParent() != null) {
                return Optional.of(new WatchedProcess(WatchedProcess.Role.BROKER,
                        config.getParent().getFileName().toString(), pid, config));
            }
        }
        return Optional.empty();
    }

    /** The launcher's pid as a node ({@code --parent-pid}) or a Kafka node (BrokerMain's first argument) names it. */
    static Optional<Long> parentPid(List<String> args) {
        Optional<String> parent = argAfter(args, "--parent-pid").or(() -> argAfter(args, BROKER_MAIN));
        try {
            return parent.map(Long::parseLong).filter(pid -> pid > 0);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> argAfter(List<String> args, String flag) {
        int at = args.indexOf(flag);
        return at >= 0 && at + 1 < args.size() ? Optional.of(args.get(at + 1)) : Optional.empty();
    }

    private static Path path(String arg) {
        return Path.of(arg).toAbsolutePath().normalize();
    }
}
