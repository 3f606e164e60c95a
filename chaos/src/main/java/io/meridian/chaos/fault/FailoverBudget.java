package io.meridian.chaos.fault;

import io.meridian.chaos.history.FaultEvent;
import io.meridian.infra.config.MeridianConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The time without acknowledged writes that a node's configuration implies when a primary region's node is lost:
 * heartbeat interval × misses to unhealthy (detection) + failover leader timeout, plus the ZooKeeper session when
 * the lost node held the controller (its latch must expire before another node leads). Printed next to the measured
 * figure; never asserted.
 *
 * @param heartbeatMs       {@code health.heartbeat.interval.ms}
 * @param missesToUnhealthy {@code health.misses.to.unhealthy}
 * @param leaderTimeoutMs   {@code failover.leader.timeout.ms}
 * @param sessionMs         {@code zookeeper.session.timeout.ms}
 */
public record FailoverBudget(long heartbeatMs, int missesToUnhealthy, long leaderTimeoutMs, long sessionMs) {
    /** Faults that take a primary region's node away (for long enough, a failover ends them). */
    private static final Set<String> NODE_LOSS = Set.of("node-kill", "node-pause", "region-loss",
            "controller-kill-at-migration");
    /** What {@link FaultInjector} appends to a fault's detail when the node it hit held the controller. */
    public static final String HELD_CONTROLLER = "held the controller";

    /** Reads the settings from a node's configuration file (defaults where the file is silent). */
    public static FailoverBudget of(Path nodeConfig) {
        MeridianConfig config = MeridianConfig.load(nodeConfig, Map.of());
        return new FailoverBudget(config.getLong(MeridianConfig.HEALTH_HEARTBEAT_INTERVAL_MS),
                config.getInt(MeridianConfig.HEALTH_MISSES_TO_UNHEALTHY),
                config.getLong(MeridianConfig.FAILOVER_LEADER_TIMEOUT_MS),
                config.getInt(MeridianConfig.ZOOKEEPER_SESSION_TIMEOUT_MS));
    }

    /** The budget of one injected fault in ms, 0 when the fault is not a node loss. */
    public long forFault(FaultEvent inject) {
        if (!NODE_LOSS.contains(inject.fault())) {
            return 0;
        }
        boolean controller = inject.fault().equals("controller-kill-at-migration")
                || inject.detail().contains(HELD_CONTROLLER);
        return heartbeatMs * missesToUnhealthy + leaderTimeoutMs + (controller ? sessionMs : 0);
    }

    @Override
    public String toString() {
        return "heartbeat " + heartbeatMs + " ms x " + missesToUnhealthy + " misses + leader timeout "
                + leaderTimeoutMs + " ms (+ ZooKeeper session " + sessionMs + " ms when the node held the controller)";
    }
}
