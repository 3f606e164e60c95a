package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ControllerLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options of a {@link KafkaProcessCluster} as its {@link KafkaProcessClusterBuilder} resolved them:
 * validated, defaults filled in. Immutable.
 *
 * @param dataDir absolute
 * @param basePort the first fixed port, or 0 for free ports
 * @param brokerProperties added to or overriding the generated broker configuration
 * @param classpath the explicit classpath of the child JVMs, or {@code null} for this JVM's jars
 */
record ClusterSettings(
        Path dataDir,
        List<String> racks,
        ControllerLayout layout,
        int basePort,
        Duration startupTimeout,
        Duration shutdownTimeout,
        List<String> brokerJvmOptions,
        List<String> controllerJvmOptions,
        Map<String, String> brokerProperties,
        String classpath,
        boolean shutdownHook) {

    ClusterSettings {
        racks = List.copyOf(racks);
        brokerProperties = Map.copyOf(brokerProperties);
    }

    static List<String> defaultJvmOptions(String xms, String xmx, boolean fastStartup) {
        List<String> options = new ArrayList<>(List.of("-Xms" + xms, "-Xmx" + xmx,
                // Kafka's own launcher settings (kafka-run-class.sh): G1 with short pauses.
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent",
                // A broker that ran out of memory is better dead (and visible) than limping.
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true"));
        if (fastStartup) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return List.copyOf(options);
    }
}
