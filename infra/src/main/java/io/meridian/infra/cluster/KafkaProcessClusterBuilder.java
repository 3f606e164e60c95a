package io.meridian.infra.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Options of a {@link KafkaProcessCluster}; every one has a default suited to a 2-core machine. */
public final class KafkaProcessClusterBuilder {
    private final Path dataDir;
    private List<String> racks = KafkaProcessCluster.DEFAULT_RACKS;
    private ControllerLayout layout = ControllerLayout.DEDICATED;
    private int basePort;
    private Duration startupTimeout = KafkaProcessCluster.DEFAULT_STARTUP_TIMEOUT;
    private Duration shutdownTimeout = KafkaProcessCluster.DEFAULT_SHUTDOWN_TIMEOUT;
    private List<String> brokerJvmOptions;
    private List<String> controllerJvmOptions;
    private boolean fastStartup = true;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private String classpath;
    private boolean shutdownHook = true;

    /** A builder for a cluster under {@code dataDir}: one broker per rack of us-east, eu-west, ap-south by default. */
    public static KafkaProcessClusterBuilder forDataDir(Path dataDir) {
        return new KafkaProcessClusterBuilder(dataDir);
    }

    private KafkaProcessClusterBuilder(Path dataDir) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** One broker per rack, in order; default us-east, eu-west, ap-south. */
    public KafkaProcessClusterBuilder racks(List<String> racks) {
        Objects.requireNonNull(racks, "racks");
        if (racks.isEmpty()) {
            throw new IllegalArgumentException("at least one rack is needed");
        }
        if (racks.stream().anyMatch(r -> r == null || r.isBlank())) {
            throw new IllegalArgumentException("rack names must not be blank: " + racks);
        }
        this.racks = List.copyOf(racks);
        return this;
    }

    public KafkaProcessClusterBuilder controllerLayout(ControllerLayout layout) {
        this.layout = Objects.requireNonNull(layout, "layout");
        return this;
    }

    /**
     * Fixed ports instead of free ones: brokers get {@code basePort .. basePort+N-1}, controllers
     * the ports after. Ignored when the data directory already holds a cluster (its ports win).
     */
    public KafkaProcessClusterBuilder basePort(int basePort) {
        if (basePort < 1 || basePort > 65_000) {
            throw new IllegalArgumentException("basePort out of range: " + basePort);
        }
        this.basePort = basePort;
        return this;
    }

    public KafkaProcessClusterBuilder startupTimeout(Duration timeout) {
        this.startupTimeout = requirePositive(timeout);
        return this;
    }

    /** How long a SIGTERM-ed node may take before it is killed. */
    public KafkaProcessClusterBuilder shutdownTimeout(Duration timeout) {
        this.shutdownTimeout = requirePositive(timeout);
        return this;
    }

    /**
     * Whether the default JVM options restrict the JIT to C1 ({@code -XX:TieredStopAtLevel=1}), default
     * true. On two shared cores that halves the start-up of a cluster (about 8 s instead of 15-25 s for
     * three brokers and a controller) and keeps the C2 compiler from eating a core for the first
     * minute; peak throughput is lower, so turn it off for long benchmarks. Ignored for explicit
     * {@link #brokerJvmOptions}/{@link #controllerJvmOptions}.
     */
    public KafkaProcessClusterBuilder fastStartup(boolean enabled) {
        this.fastStartup = enabled;
        return this;
    }

    /** Replaces the JVM options of broker processes (default: {@link JvmFootprint}, 32m..256m heap, Serial GC). */
    public KafkaProcessClusterBuilder brokerJvmOptions(List<String> options) {
        this.brokerJvmOptions = List.copyOf(options);
        return this;
    }

    /** Replaces the JVM options of the dedicated controller process (default: {@link JvmFootprint}, 16m..128m heap). */
    public KafkaProcessClusterBuilder controllerJvmOptions(List<String> options) {
        this.controllerJvmOptions = List.copyOf(options);
        return this;
    }

    /** Adds or overrides one broker configuration property, on every broker. */
    public KafkaProcessClusterBuilder brokerProperty(String key, String value) {
        brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * The classpath of the child JVMs (it needs the Kafka broker and an SLF4J binding); default the
     * jar entries of this JVM's {@code java.class.path}. A copy of {@link BrokerMain} always comes first.
     */
    public KafkaProcessClusterBuilder classpath(String classpath) {
        this.classpath = Objects.requireNonNull(classpath, "classpath");
        return this;
    }

    /** Whether to stop the processes from a JVM shutdown hook when nobody closed the cluster (default true). */
    public KafkaProcessClusterBuilder shutdownHook(boolean enabled) {
        this.shutdownHook = enabled;
        return this;
    }

    public KafkaProcessCluster build() {
        return new KafkaProcessCluster(settings());
    }

    private ClusterSettings settings() {
        return new ClusterSettings(dataDir.toAbsolutePath(), racks, layout, basePort, startupTimeout, shutdownTimeout,
                brokerJvmOptions != null
                        ? brokerJvmOptions : ClusterSettings.defaultBrokerJvmOptions(fastStartup),
                controllerJvmOptions != null
                        ? controllerJvmOptions : ClusterSettings.defaultControllerJvmOptions(fastStartup),
                brokerProperties, classpath, shutdownHook);
    }

    private static Duration requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + d);
        }
        return d;
    }
}
