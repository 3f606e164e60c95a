package io.meridian.node;

import io.meridian.infra.config.ConfigKeys;
import io.meridian.infra.config.MeridianConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian node --config FILE}: one region node against any Kafka cluster. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run one region node (HTTP router + region applier) against a Kafka cluster.%n"
                + "Configuration: a properties file, overridden by MERIDIAN_* environment variables"
                + " (MERIDIAN_HTTP_PORT sets http.port). An unknown key or MERIDIAN_* variable stops it, naming the"
                + " closest known one ('meridian settings' lists them).")
final class NodeCommand implements Callable<Integer> {

    /** The entry point of a node child process ({@link LocalDeployment} starts nodes with it). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new NodeCommand()).execute(args));
    }


    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (optional if MERIDIAN_* set it all).")
    Path config;

    @Option(names = "--parent-pid", hidden = true,
            description = "Exit when this process is gone (used by 'meridian local' for its child nodes).")
    Long parentPid;

    @Override
    public Integer call() {
        MeridianConfig meridianConfig;
        try {
            meridianConfig = ConfigKeys.load(config, System.getenv());
        } catch (ConfigException e) {
            System.err.println("meridian node: invalid configuration: " + e.getMessage());
            return 2;
        }
        MeridianNode node = new MeridianNode(meridianConfig);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "meridian-shutdown"));
        if (parentPid != null) {
            ParentWatchdog.haltWhenGone(parentPid);
        }
        try {
            node.start();
        } catch (ConfigException e) {
            // A setting only checked at start (ZooKeeper credentials, body size against Kafka's limit).
            System.err.println("meridian node: invalid configuration: " + e.getMessage());
            return 2;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
