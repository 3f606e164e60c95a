package io.meridian.infra.cluster;

import static io.meridian.infra.cluster.KafkaProcessCluster.HOST;

import io.meridian.infra.cluster.ControllerLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nodes of a cluster: broker {@code i} (node id {@code i}) on rack {@code i}, and in the dedicated
 * layout the controller-only node. The set is fixed; each node's process comes and goes.
 */
final class ClusterNodes {
    private final List<NodeProcess> brokers;
    /** The dedicated controller, or {@code null} in the combined layout. */
    private final NodeProcess controller;
    private final String bootstrapServers;

    ClusterNodes(Path dataDir, List<String> racks, ControllerLayout layout, ClusterState state) {
        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 0; i < racks.size(); i++) {
            nodes.add(new NodeProcess(dataDir, i, "broker-" + i, racks.get(i),
                    state.brokerPorts[i], layout == ControllerLayout.COMBINED ? state.controllerPorts[i] : -1));
        }
        this.brokers = List.copyOf(nodes);
        this.controller = layout == ControllerLayout.DEDICATED
                ? new NodeProcess(dataDir, KafkaProcessCluster.CONTROLLER_NODE_ID, "controller", null, -1,
                        state.controllerPorts[0])
                : null;
        this.bootstrapServers = brokers.stream().map(n -> HOST + ":" + n.brokerPort).collect(Collectors.joining(","));
    }

    /** @throws IndexOutOfBoundsException if there is no broker {@code index} */
    NodeProcess broker(int index) {
        if (index < 0 || index >= brokers.size()) {
            throw new IndexOutOfBoundsException("broker index " + index + " not in [0, " + brokers.size() + ")");
        }
        return brokers.get(index);
    }

    List<NodeProcess> brokers() {
        return brokers;
    }

    /** Whether {@code node} is the dedicated, controller-only node. */
    boolean isDedicatedController(NodeProcess node) {
        return node == controller;
    }

    /** The dedicated controller first, so that brokers find a quorum as soon as they start; then the brokers. */
    List<NodeProcess> all() {
        List<NodeProcess> all = new ArrayList<>();
        if (controller != null) {
            all.add(controller);
        }
        all.addAll(brokers);
        return all;
    }

    /** Comma-separated {@code host:port} of every broker. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code controller.quorum.voters}: the dedicated controller, or every node in the combined layout. */
    String quorumVoters() {
        if (controller != null) {
            return controller.nodeId + "@" + HOST + ":" + controller.controllerPort;
        }
        return brokers.stream().map(n -> n.nodeId + "@" + HOST + ":" + n.controllerPort).collect(Collectors.joining(","));
    }

    /**
     * Stops every live node: brokers get SIGTERM together (so controlled shutdowns still find a quorum),
     * then the dedicated controller; whatever is still alive after {@code timeout} is killed. Takes no
     * lock, so the cluster's shutdown hook may call it.
     */
    void stopAll(Duration timeout) {
        List<NodeProcess> aliveBrokers = brokers.stream().filter(NodeProcess::isAlive).collect(Collectors.toList());
        aliveBrokers.forEach(NodeProcess::signalTerm);
        aliveBrokers.forEach(n -> n.awaitExitOrKill(timeout));
        if (controller != null && controller.isAlive()) {
            controller.gracefulStop(timeout);
        }
    }

    /**
     * Throws if a node that must live has exited: one of {@code waitingFor}, or the dedicated controller.
     *
     * @throws ClusterException naming the node, with the end of its log
     */
    void checkNotExited(List<NodeProcess> waitingFor) {
        waitingFor.forEach(NodeProcess::checkNotExited);
        if (controller != null) {
            controller.checkNotExited();
        }
    }
}
