package io.meridian.infra.testkit;

import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.cluster.KafkaProcessCluster;
import io.meridian.infra.cluster.KafkaProcessClusterBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one integration-test cluster of this JVM: started lazily by the first {@link #get()}, shared by
 * every test class after it, closed by a JVM shutdown hook.
 *
 * <p>The backend is chosen by the system property {@value #BACKEND_PROPERTY}:
 * <ul>
 *   <li>{@code embedded} (default): three Kafka broker processes (racks us-east, eu-west, ap-south) and
 *       one controller process, see {@link KafkaProcessCluster}, under a temporary directory;</li>
 *   <li>{@code testcontainers}: three {@code apache/kafka} containers with the same racks; when no
 *       Docker engine is reachable, {@link #get()} aborts the calling test, which JUnit reports as
 *       skipped, not failed.</li>
 * </ul>
 * Either way ZooKeeper is an {@link EmbeddedZooKeeper} in this JVM. Set {@value #KEEP_DATA_PROPERTY}
 * to {@code true} to keep the temporary directory (broker logs included) after the JVM ends.
 *
 * <p>Thread-safe. A failed start is remembered: later calls fail at once with the same cause instead
 * of paying the startup timeout again.
 */
public final class SharedTestCluster {

    public static final String BACKEND_PROPERTY = "meridian.test.cluster";
    public static final String KEEP_DATA_PROPERTY = "meridian.test.cluster.keep-data";
    public static final String EMBEDDED = "embedded";
    public static final String TESTCONTAINERS = "testcontainers";
    static final List<String> RACKS = KafkaProcessCluster.DEFAULT_RACKS;

    private static final Logger log = LoggerFactory.getLogger(SharedTestCluster.class);

    private static TestCluster instance;
    private static RuntimeException startFailure;

    private SharedTestCluster() {
    }

    /** The shared cluster, started on first use. */
    public static synchronized TestCluster get() {
        String backend = backend();
        if (TESTCONTAINERS.equals(backend)) {
            assumeTestcontainersUsable();
        }
        if (instance != null) {
            return instance;
        }
        if (startFailure != null) {
            throw new IllegalStateException("The shared test cluster failed to start earlier in this JVM", startFailure);
        }
        try {
            instance = create(backend);
            return instance;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    static String backend() {
        String value = System.getProperty(BACKEND_PROPERTY, EMBEDDED).trim().toLowerCase(Locale.ROOT);
        if (!value.equals(EMBEDDED) && !value.equals(TESTCONTAINERS)) {
            throw new IllegalArgumentException("System property " + BACKEND_PROPERTY + " must be '" + EMBEDDED + "' or '"
                    + TESTCONTAINERS + "', not '" + value + "'");
        }
        return value;
    }

    /**
     * Aborts the calling test (reported as skipped) when the Testcontainers backend cannot run here: no
     * Docker engine answers, or the module's tests lack Testcontainers (infra's test dependencies do not
     * travel with its test-jar; a module that wants this backend declares org.testcontainers:kafka).
     */
    static void assumeTestcontainersUsable() {
        boolean onClasspath;
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, SharedTestCluster.class.getClassLoader());
            onClasspath = true;
        } catch (ClassNotFoundException | LinkageError e) {
            onClasspath = false;
        }
        if (!onClasspath) {
            log.warn("Backend '{}' requested but org.testcontainers:kafka is not on this module's test classpath", TESTCONTAINERS);
        }
        Assumptions.assumeTrue(onClasspath,
                "backend '" + TESTCONTAINERS + "' needs org.testcontainers:kafka on the test classpath");
        Assumptions.assumeTrue(TestcontainersTestCluster.dockerAvailable(),
                "backend '" + TESTCONTAINERS + "' needs a Docker engine and none is reachable");
    }

    private static TestCluster create(String backend) {
        Path root;
        try {
            root = Files.createTempDirectory("meridian-test-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the test cluster", e);
        }
        log.info("Starting the shared {} test cluster under {}", backend, root);
        EmbeddedZooKeeper zooKeeper = null;
        try {
            zooKeeper = EmbeddedZooKeeper.start(root.resolve("zookeeper"), 0);
            AbstractTestCluster cluster;
            if (backend.equals(TESTCONTAINERS)) {
                cluster = TestcontainersTestCluster.start(RACKS, zooKeeper); // the only use of Testcontainers classes
            } else {
                cluster = EmbeddedTestCluster.start(root.resolve("kafka"), RACKS, zooKeeper);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cluster.close();
                deleteUnlessKept(root);
            }, "shared-test-cluster-shutdown"));
            return cluster;
        } catch (RuntimeException e) {
            if (zooKeeper != null) {
                zooKeeper.close();
            }
            log.error("Shared test cluster failed to start; its files stay in {}", root);
            throw e;
        }
    }

    private static void deleteUnlessKept(Path root) {
        if (Boolean.getBoolean(KEEP_DATA_PROPERTY)) {
            log.info("Keeping test cluster data in {}", root);
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Could not delete test cluster data in {}", root, e);
        }
    }

    /** Shared parts of the two backends. */
    abstract static class AbstractTestCluster implements TestCluster, AutoCloseable {
        private final EmbeddedZooKeeper zooKeeper;

        AbstractTestCluster(EmbeddedZooKeeper zooKeeper) {
            this.zooKeeper = zooKeeper;
        }

        @Override
        public String zookeeperConnect() {
            return zooKeeper.connectString();
        }

        @Override
        public EmbeddedZooKeeper zooKeeper() {
            return zooKeeper;
        }

        @Override
        public void close() {
            try {
                closeBrokers();
            } finally {
                zooKeeper.close();
            }
        }

        abstract void closeBrokers();
    }

    /** Broker processes on this machine. */
    static final class EmbeddedTestCluster extends AbstractTestCluster {
        private final KafkaProcessCluster cluster;

        private EmbeddedTestCluster(KafkaProcessCluster cluster, EmbeddedZooKeeper zooKeeper) {
            super(zooKeeper);
            this.cluster = cluster;
        }

        static EmbeddedTestCluster start(Path dir, List<String> racks, EmbeddedZooKeeper zooKeeper) {
            // Our own hook closes it (and then deletes the files), so the cluster needs none.
            KafkaProcessCluster cluster = KafkaProcessClusterBuilder.forDataDir(dir).racks(racks).shutdownHook(false).build();
            try {
                cluster.start();
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            return new EmbeddedTestCluster(cluster, zooKeeper);
        }

        @Override
        public String bootstrapServers() {
            return cluster.bootstrapServers();
        }

        @Override
        public int brokerCount() {
            return cluster.brokerCount();
        }

        @Override
        public List<String> racks() {
            return cluster.racks();
        }

        @Override
        public Optional<KafkaProcessCluster> processCluster() {
            return Optional.of(cluster);
        }

        @Override
        public String kind() {
            return EMBEDDED;
        }

        @Override
        void closeBrokers() {
            cluster.close();
        }
    }
}
