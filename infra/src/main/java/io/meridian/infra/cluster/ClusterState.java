package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ControllerLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity of a local cluster: its cluster id and the ports of its nodes, persisted in
 * {@value KafkaProcessCluster#STATE_FILE} so that a restart on the same data directory reuses them.
 * Immutable.
 */
final class ClusterState {
    private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

    final String clusterId;
    /** By broker index. */
    final int[] brokerPorts;
    /** One per controller: the dedicated controller, or every node in the combined layout. */
    final int[] controllerPorts;

    private ClusterState(String clusterId, int[] brokerPorts, int[] controllerPorts) {
        this.clusterId = clusterId;
        this.brokerPorts = brokerPorts;
        this.controllerPorts = controllerPorts;
    }

    /**
     * The state stored in {@code dataDir}, or a new one (fresh cluster id; ports from {@code basePort}, or
     * free ones if it is 0), which is stored at once.
     *
     * @throws IllegalArgumentException if {@code dataDir} holds a cluster of another topology
     */
    static ClusterState loadOrCreate(Path dataDir, ControllerLayout layout, int brokerCount, int basePort) {
        Path file = dataDir.resolve(KafkaProcessCluster.STATE_FILE);
        int controllerCount = layout == ControllerLayout.COMBINED ? brokerCount : 1;
        if (Files.exists(file)) {
            return load(file, dataDir, layout, brokerCount, controllerCount, basePort);
        }
        int[] ports = basePort > 0
                ? IntStream.range(basePort, basePort + brokerCount + controllerCount).toArray()
                : freePorts(brokerCount + controllerCount);
        ClusterState state = new ClusterState(Uuid.randomUuid().toString(),
                Arrays.copyOfRange(ports, 0, brokerCount),
                Arrays.copyOfRange(ports, brokerCount, ports.length));
        state.save(file, layout);
        return state;
    }

    private static ClusterState load(Path file, Path dataDir, ControllerLayout layout, int brokerCount,
            int controllerCount, int basePort) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        String storedLayout = p.getProperty("controller.layout");
        int storedBrokers = Integer.parseInt(p.getProperty("brokers", "-1"));
        if (!layout.name().equals(storedLayout) || storedBrokers != brokerCount) {
            throw new IllegalArgumentException("Data directory " + dataDir + " holds a cluster of " + storedBrokers
                    + " brokers with a " + storedLayout + " controller layout; asked for " + brokerCount + " brokers, "
                    + layout + ". Use another directory or the same topology.");
        }
        int[] brokerPorts = new int[brokerCount];
        int[] controllerPorts = new int[controllerCount];
        for (int i = 0; i < brokerCount; i++) {
            brokerPorts[i] = Integer.parseInt(p.getProperty("broker." + i + ".port"));
        }
        for (int i = 0; i < controllerCount; i++) {
            controllerPorts[i] = Integer.parseInt(p.getProperty("controller." + i + ".port"));
        }
        if (basePort > 0 && brokerPorts[0] != basePort) {
            log.warn("Ignoring base port {}: the cluster in {} was created with ports from {}", basePort, dataDir,
                    brokerPorts[0]);
        }
        return new ClusterState(p.getProperty("cluster.id"), brokerPorts, controllerPorts);
    }

    private void save(Path file, ControllerLayout layout) {
        Properties p = new Properties();
        p.setProperty("cluster.id", clusterId);
        p.setProperty("controller.layout", layout.name());
        p.setProperty("brokers", Integer.toString(brokerPorts.length));
        for (int i = 0; i < brokerPorts.length; i++) {
            p.setProperty("broker." + i + ".port", Integer.toString(brokerPorts[i]));
        }
        for (int i = 0; i < controllerPorts.length; i++) {
            p.setProperty("controller." + i + ".port", Integer.toString(controllerPorts[i]));
        }
        // Written aside and moved into place, so that a crash never leaves a half-written state file.
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "Meridian local Kafka cluster: identity and ports, reused on restart");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** Distinct free ports, all held open together so none is handed out twice. */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(KafkaProcessCluster.HOST, 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find free ports", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    log.trace("Ignoring failure to close a probe socket", e);
                }
            }
        }
    }
}
