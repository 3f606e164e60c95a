package io.meridian.infra.cluster;

import static io.meridian.infra.cluster.KafkaProcessCluster.BROKER_HEARTBEAT_INTERVAL_MS;
import static io.meridian.infra.cluster.KafkaProcessCluster.BROKER_LISTENER;
import static io.meridian.infra.cluster.KafkaProcessCluster.BROKER_SESSION_TIMEOUT_MS;
import static io.meridian.infra.cluster.KafkaProcessCluster.CONTROLLER_LISTENER;
import static io.meridian.infra.cluster.KafkaProcessCluster.HOST;

import io.meridian.infra.cluster.ControllerLayout;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code server.properties} of each node: the settings listed under "Settings" in
 * {@link KafkaProcessCluster}, sized for a small machine.
 */
final class ServerProperties {
    static final int LOG_CLEANER_DEDUPE_BUFFER_BYTES = 8 * 1024 * 1024;

    private ServerProperties() {
    }

    /**
     * The configuration of {@code node}, one of {@code nodes}; {@code extraBrokerProperties} are applied
     * last on brokers, not on the dedicated controller.
     */
    static Properties of(NodeProcess node, ClusterNodes nodes, ControllerLayout layout,
            Map<String, String> extraBrokerProperties) {
        Properties p = new Properties();
        p.setProperty("node.id", Integer.toString(node.nodeId));
        p.setProperty("controller.quorum.voters", nodes.quorumVoters());
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", node.storageDir().toString());
        // Controller side of failure detection: fence a silent broker after 3 s rather than 9 s.
        p.setProperty("broker.session.timeout.ms", Integer.toString(BROKER_SESSION_TIMEOUT_MS));
        p.setProperty("broker.heartbeat.interval.ms", Integer.toString(BROKER_HEARTBEAT_INTERVAL_MS));
        // A restarted cluster has every partition led by the broker that registered first until the controller's next
        // preferred-leader check: 5 minutes by default, during which that one broker serves every client (meridian
        // local, restarted: one broker at 90 % of a core under a write benchmark, the others at 10 %).
        p.setProperty("leader.imbalance.check.interval.seconds", "10");
        // Two cores for the whole box: keep thread pools small.
        p.setProperty("num.network.threads", "2");
        p.setProperty("background.threads", "2");
        if (nodes.isDedicatedController(node)) {
            p.setProperty("process.roles", "controller");
            p.setProperty("listeners", CONTROLLER_LISTENER + "://" + HOST + ":" + node.controllerPort);
            p.setProperty("num.io.threads", "2");
            return p;
        }
        p.setProperty("process.roles", layout == ControllerLayout.COMBINED ? "broker,controller" : "broker");
        String listeners = BROKER_LISTENER + "://" + HOST + ":" + node.brokerPort;
        if (layout == ControllerLayout.COMBINED) {
            listeners += "," + CONTROLLER_LISTENER + "://" + HOST + ":" + node.controllerPort;
        }
        p.setProperty("listeners", listeners);
        p.setProperty("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + node.brokerPort);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty("broker.rack", node.rack);
        int n = nodes.brokers().size();
        String rf = Integer.toString(Math.min(3, n));
        String minIsr = Integer.toString(Math.min(2, n));
        p.setProperty("default.replication.factor", rf);
        p.setProperty("min.insync.replicas", minIsr);
        p.setProperty("offsets.topic.replication.factor", rf);
        p.setProperty("transaction.state.log.replication.factor", rf);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", rf);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        // Fewer internal partitions than the default 50: creating them dominates the first group join.
        p.setProperty("offsets.topic.num.partitions", "12");
        p.setProperty("transaction.state.log.num.partitions", "12");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.io.threads", "4");
        // A leader answers each follower fetch by reading every partition of the fetcher's session, and every produce
        // request wakes the session that holds its partition. With one fetcher per leader that was all ~150 partitions
        // a broker leads, for each of the appliers' small commits and the routers' WAL records; four sessions per
        // leader read a quarter each.
        p.setProperty("num.replica.fetchers", "4");
        p.setProperty("log.cleaner.threads", "1");
        // The cleaner's dedupe map is heap, allocated whole when the broker starts (default 128 MiB). At 24 bytes a key,
        // 8 MiB maps ~300k distinct keys per cleaning pass; a log with more is cleaned in several passes.
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(LOG_CLEANER_DEDUPE_BUFFER_BYTES));
        extraBrokerProperties.forEach(p::setProperty);
        return p;
    }
}
