package io.meridian.node;

import io.meridian.infra.config.ConfigKeys;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.SecurityConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian local}: the embedded default, everything on this machine. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run Meridian on this machine: a real 3-broker Kafka (KRaft) and ZooKeeper, and one node per"
                + " region (us-east, eu-west, ap-south), or several with --nodes-per-region. State survives a restart."
                + " Ctrl-C stops it all.")
final class LocalCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = ".meridian/local", description = "Where all state lives (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--base-port", defaultValue = "8081",
            description = "HTTP port of the first region; the others follow, then the second nodes of every region,"
                    + " and so on (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--nodes-per-region", defaultValue = "1",
            description = "Nodes in every region, 1 to " + LocalDeployment.MAX_NODES_PER_REGION + ": they split the"
                    + " region's WAL partitions and forward each request to the node owning its tenant's partition"
                    + " (default: ${DEFAULT-VALUE}).")
    int nodesPerRegion;

    @Option(names = "--set", paramLabel = "[REGION:]KEY=VALUE",
            description = {"A node setting (any key of 'bin/meridian settings'), for every node or, with a region"
                    + " prefix, for that region's nodes: --set failover.leader.timeout.ms=3000"
                    + " --set eu-west:election.priority=5. Repeatable; beats --node-config."})
    List<String> sets = new ArrayList<>();

    @Option(names = "--node-config", paramLabel = "[REGION:]FILE",
            description = "A properties file of node settings, for every node or, with a region prefix, for that"
                    + " region's nodes. Repeatable; later files win.")
    List<String> nodeConfigs = new ArrayList<>();

    @Option(names = "--full-jit",
            description = "Nodes compile their hot code with C2 as a production JVM does, for benchmarks; starts take"
                    + " about 10 s longer on two cores. Default: C1 only, for a fast start.")
    boolean fullJit;

    @Option(names = "--ready-timeout", defaultValue = "PT5M", description = "How long to wait for every node (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Override
    public Integer call() {
        if (nodesPerRegion < 1 || nodesPerRegion > LocalDeployment.MAX_NODES_PER_REGION) {
            System.err.println("meridian local: --nodes-per-region must be 1 to "
                    + LocalDeployment.MAX_NODES_PER_REGION + ", got " + nodesPerRegion);
            return 2;
        }
        LocalSettings settings;
        try {
            settings = LocalSettings.parse(nodeConfigs, sets);
        } catch (ConfigException e) {
            System.err.println("meridian local: " + e.getMessage());
            return 2;
        }
        // The nodes' environment is stripped of MERIDIAN_*: say so rather than let a setting vanish in silence.
        MeridianConfig.fromEnvironment(System.getenv()).keySet().stream().sorted()
                .filter(key -> !key.equals(SecurityConfigs.ADMIN_TOKEN))
                .forEach(key -> System.err.println("meridian local: " + ConfigKeys.environmentName(key)
                        + " does not reach the nodes; use --set " + key + "=..."));
        // Keys only: a value may be a secret (kafka.sasl.jaas.config); the nodes' files under the data dir hold them.
        if (!settings.everyNode().isEmpty() || !settings.perRegion().isEmpty()) {
            System.out.println("meridian local: node settings: every node "
                    + new TreeSet<>(settings.everyNode().keySet()) + (settings.perRegion().isEmpty() ? "" : ", per region " + settings.perRegion().entrySet().stream()
                    .map(e -> e.getKey() + " " + new TreeSet<>(e.getValue().keySet())).toList()));
        }
        long startedAt = System.nanoTime();
        LocalDeployment deployment = new LocalDeployment(dataDir, basePort, System.getenv("MERIDIAN_ADMIN_TOKEN"),
                settings.everyNode(), nodesPerRegion);
        settings.perRegion().forEach(deployment::regionSettings);
        if (fullJit) {
            deployment.fullJit();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("meridian local: stopping nodes, Kafka and ZooKeeper...");
            deployment.close();
            stopped.countDown();
        }, "meridian-local-shutdown"));
        System.out.println("meridian local: starting ZooKeeper, 3 Kafka brokers and " + 3 * nodesPerRegion
                + " region nodes under " + deployment.dataDir());
        deployment.start();
        deployment.awaitReady(readyTimeout);
        printBanner(deployment, Duration.ofNanos(System.nanoTime() - startedAt));
        for (int index = 1; index < nodesPerRegion; index++) {
            int node = index;
            System.out.println("  node " + (index + 1) + " of each region: " + String.join("   ",
                    LocalDeployment.REGIONS.stream().map(r -> r + " " + deployment.url(r, node)).toList()));
        }
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void printBanner(LocalDeployment d, Duration took) {
        String east = d.url("us-east");
        String west = d.url("eu-west");
        System.out.printf("""

                Meridian is ready (%d s).
                  regions      us-east %s   eu-west %s   ap-south %s
                  kafka        %s
                  zookeeper    %s
                  admin token  %s
                  logs         %s

                Try it:
                  export MERIDIAN_ADMIN_TOKEN=%s
                  curl -X PUT %s/admin/tenants/acme/placement -H "Authorization: Bearer $MERIDIAN_ADMIN_TOKEN" \\
                       -H 'Content-Type: application/json' \\
                       -d '{"primary":"us-east","replicas":["us-east","eu-west","ap-south"],"strategy":"reject"}'
                  curl -i -X PUT %s/v1/tenants/acme/docs/hello -H 'Content-Type: application/json' -d '{"hello":"world"}'
                  curl -i %s/v1/tenants/acme/docs/hello -H 'X-Meridian-Min-Position: <position from the write>'
                  curl -i -X PUT %s/v1/tenants/acme/docs/hello -d '{}'      # 307 to the primary

                Ctrl-C stops everything; state stays in %s.
                """, took.toSeconds(), east, west, d.url("ap-south"), d.kafka().bootstrapServers(),
                d.zookeeper().connectString(), d.adminToken(), d.dataDir().resolve("logs"), d.adminToken(), east, east,
                west, west, d.dataDir());
        System.out.flush();
    }
}
