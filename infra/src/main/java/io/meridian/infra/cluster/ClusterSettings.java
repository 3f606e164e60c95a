package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ControllerLayout;
import java.nio.file.Path;
import java.time.Duration;
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

    /** A broker's JVM: ~90 MiB of live heap with the 8 MiB cleaner buffer, ~45 MiB of metaspace (measured). */
    static List<String> defaultBrokerJvmOptions(boolean fastStartup) {
        return JvmFootprint.serverOptions("32m", "256m", "128m", fastStartup);
    }

    /** The dedicated KRaft controller's JVM: ~30 MiB of live heap, ~38 MiB of metaspace (measured). */
    static List<String> defaultControllerJvmOptions(boolean fastStartup) {
        return JvmFootprint.serverOptions("16m", "128m", "96m", fastStartup);
    }
}
