package io.meridian.chaos.fault;

import io.meridian.chaos.history.FaultEvent;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.streams.RegionStreams;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The time without acknowledged writes that a node's configuration implies when a primary region's node is lost:
 * heartbeat interval × misses to unhealthy (detection) + failover leader timeout, plus the ZooKeeper session when
 * the lost node held the controller (its latch must expire before another node leads). For the loss of one node of
 * a region that has others ({@code member-kill}, no failover): the applier's Kafka consumer session timeout (the
 * group drops the dead member) + the routing rebalance wait (what a node allows a partition to find its new owner),
 * plus the ZooKeeper session when the node held the controller. Printed next to the measured figure; never asserted.
 *
 * @param heartbeatMs       {@code health.heartbeat.interval.ms}
 * @param missesToUnhealthy {@code health.misses.to.unhealthy}
 * @param leaderTimeoutMs   {@code failover.leader.timeout.ms}
 * @param sessionMs         {@code zookeeper.session.timeout.ms}
 * @param memberSessionMs   the applier's {@code consumer.session.timeout.ms} (Kafka Streams, {@code RegionStreams})
 * @param rebalanceWaitMs   {@code routing.rebalance.wait.ms}
 */
public record FailoverBudget(long heartbeatMs, int missesToUnhealthy, long leaderTimeoutMs, long sessionMs,
                             long memberSessionMs, long rebalanceWaitMs) {
    /** Faults that take a primary region's node away (for long enough, a failover ends them). */
    private static final Set<String> NODE_LOSS = Set.of("node-kill", "node-pause", "region-loss",
            "controller-kill-at-migration");
    /** Faults that take one node of a region that has others away (a rebalance inside the region ends them). */
    private static final Set<String> MEMBER_LOSS = Set.of("member-kill");
    /** What {@link FaultInjector} appends to a fault's detail when the node it hit held the controller. */
    public static final String HELD_CONTROLLER = "held the controller";
    /** The consumer's own default ({@code session.timeout.ms}), should the applier not set it. */
    private static final long CONSUMER_DEFAULT_SESSION_MS = 45_000;

    /** Reads the settings from a node's configuration file (defaults where the file is silent). */
    public static FailoverBudget of(Path nodeConfig) {
        MeridianConfig config = MeridianConfig.load(nodeConfig, Map.of());
        Object memberSession = RegionStreams.streamsProperties(config)
                .get(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        return new FailoverBudget(config.getLong(ControllerConfigs.HEALTH_HEARTBEAT_INTERVAL_MS),
                config.getInt(ControllerConfigs.HEALTH_MISSES_TO_UNHEALTHY),
                config.getLong(ControllerConfigs.FAILOVER_LEADER_TIMEOUT_MS),
                config.getInt(ElectionConfigs.ZOOKEEPER_SESSION_TIMEOUT_MS),
                memberSession == null ? CONSUMER_DEFAULT_SESSION_MS : Long.parseLong(memberSession.toString()),
                config.getLong(RouterConfigs.ROUTING_REBALANCE_WAIT_MS));
    }

    /** The budget of one injected fault in ms, 0 when the fault is not the loss of a node. */
    public long forFault(FaultEvent inject) {
        boolean controller = inject.fault().equals("controller-kill-at-migration")
                || inject.detail().contains(HELD_CONTROLLER);
        if (MEMBER_LOSS.contains(inject.fault())) {
            return memberSessionMs + rebalanceWaitMs + (controller ? sessionMs : 0);
        }
        if (!NODE_LOSS.contains(inject.fault())) {
            return 0;
        }
        return heartbeatMs * missesToUnhealthy + leaderTimeoutMs + (controller ? sessionMs : 0);
    }

    /** The member-loss budget's terms, for the run's header. */
    public String memberLoss() {
        return "applier consumer session " + memberSessionMs + " ms + routing rebalance wait " + rebalanceWaitMs
                + " ms (+ ZooKeeper session " + sessionMs + " ms when the node held the controller)";
    }

    @Override
    public String toString() {
        return "heartbeat " + heartbeatMs + " ms x " + missesToUnhealthy + " misses + leader timeout "
                + leaderTimeoutMs + " ms (+ ZooKeeper session " + sessionMs + " ms when the node held the controller)";
    }
}
