package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ClusterException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for brokers to be ready (listening, registered with the controller and unfenced) or, before a
 * restart, for the controller to stop counting a dead incarnation as active. Asks the cluster itself,
 * through an admin client per wait.
 */
final class ClusterReadiness {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Logger log = LoggerFactory.getLogger(ClusterReadiness.class);

    private final ClusterNodes nodes;
    private final String clusterId;
    private final Path dataDir;
    private final Duration startupTimeout;

    ClusterReadiness(ClusterNodes nodes, String clusterId, Path dataDir, Duration startupTimeout) {
        this.nodes = nodes;
        this.clusterId = clusterId;
        this.dataDir = dataDir;
        this.startupTimeout = startupTimeout;
    }

    /**
     * Blocks until {@code waitingFor} are listening, registered with the controller and unfenced.
     *
     * @throws ClusterException as soon as one of them or the dedicated controller dies, at the deadline
     *     (with the end of the logs of the brokers still waited for), or when interrupted
     */
    void awaitReady(List<NodeProcess> waitingFor, Instant deadline) {
        // First the sockets: a cheap check that spares the admin client a storm of refused connections.
        for (NodeProcess node : waitingFor) {
            while (!isListening(node.brokerPort)) {
                nodes.checkNotExited(waitingFor);
                checkDeadline(deadline, "broker " + node.name + " to listen on port " + node.brokerPort, List.of(node));
                pause();
            }
        }
        String lastState = "no answer yet";
        try (Admin admin = Admin.create(adminConfig())) {
            while (true) {
                nodes.checkNotExited(waitingFor);
                Map<Integer, Node> registered;
                try {
                    registered = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true).timeoutMs(3_000))
                            .nodes().get(5, TimeUnit.SECONDS).stream()
                            .collect(Collectors.toMap(Node::id, Function.identity(), (a, b) -> a));
                    List<NodeProcess> notReady = waitingFor.stream()
                            .filter(nd -> !registered.containsKey(nd.nodeId) || registered.get(nd.nodeId).isFenced())
                            .collect(Collectors.toList());
                    if (notReady.isEmpty()) {
                        return;
                    }
                    lastState = "registered brokers " + describeNodes(registered.values()) + ", waiting for "
                            + notReady.stream().map(nd -> nd.name).collect(Collectors.toList());
                    checkDeadline(deadline, "brokers to register unfenced (" + lastState + ")", notReady);
                } catch (ExecutionException | TimeoutException e) {
                    lastState = "describeCluster failed: " + e;
                    checkDeadline(deadline, "brokers to register unfenced (" + lastState + ")", waitingFor);
                }
                pause();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for Kafka brokers to be ready (" + lastState + ")", e);
        }
    }

    /**
     * Waits until the controller no longer counts {@code node} as an active (unfenced) broker, or no
     * broker is alive to ask; at the deadline it logs a warning and returns.
     *
     * @throws ClusterException when interrupted
     */
    void awaitNotActive(NodeProcess node, Instant deadline) {
        if (nodes.brokers().stream().noneMatch(NodeProcess::isAlive)) {
            return; // nobody could answer; a full restart has no stale registration to fear anyway
        }
        try (Admin admin = Admin.create(adminConfig())) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    Map<Integer, Boolean> fenced = admin.describeCluster(
                                    new DescribeClusterOptions().includeFencedBrokers(true).timeoutMs(2_000))
                            .nodes().get(3, TimeUnit.SECONDS).stream()
                            .collect(Collectors.toMap(Node::id, Node::isFenced, (a, b) -> a));
                    if (fenced.getOrDefault(node.nodeId, true)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    log.debug("describeCluster failed while waiting for {} to be fenced", node.name, e);
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            log.warn("{} still looks active to the controller; starting it anyway", node.name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for " + node.name + " to be fenced", e);
        }
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, nodes.bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-process-cluster-" + clusterId);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return config;
    }

    private static String describeNodes(Collection<Node> nodes) {
        return nodes.stream().map(nd -> nd.id() + (nd.isFenced() ? "(fenced)" : ""))
                .collect(Collectors.toCollection(TreeSet::new)).toString();
    }

    private void checkDeadline(Instant deadline, String waitingFor, List<NodeProcess> suspects) {
        if (Instant.now().isAfter(deadline)) {
            StringBuilder message = new StringBuilder("Kafka cluster in " + dataDir + " not ready after "
                    + startupTimeout.toSeconds() + " s: still waiting for " + waitingFor);
            for (NodeProcess node : suspects) {
                message.append("\n--- last lines of ").append(node.logFile()).append(":\n").append(node.logTail());
            }
            throw new ClusterException(message.toString());
        }
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(KafkaProcessCluster.HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("Interrupted while waiting for the Kafka cluster", e);
        }
    }
}
