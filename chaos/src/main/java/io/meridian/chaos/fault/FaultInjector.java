package io.meridian.chaos.fault;

import io.meridian.chaos.history.FaultEvent;
import io.meridian.chaos.history.History;
import io.meridian.chaos.history.Op;
import io.meridian.chaos.workload.HttpApi;
import io.meridian.chaos.workload.Tenants;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Injects one scheduled fault and returns how to heal it; both are written to the {@link History} with the process
 * they hit. Used by the scheduler's thread only.
 */
public final class FaultInjector {
    private static final List<String> MIGRATION_STEPS = List.of("writes_paused", "draining", "switched");
    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");
    private static final Duration DISK_RECOVERY = Duration.ofSeconds(30);

    private final ChaosDeployment deployment;
    private final History history;
    private final Tenants tenants;
    private final HttpApi api;
    private final Targets targets;

    /** Heals an injected fault (a restart, a SIGCONT); nothing for faults that heal themselves. */
    @FunctionalInterface
    public interface Heal {
        void heal();
    }

    public FaultInjector(ChaosDeployment deployment, History history, Tenants tenants) {
        this.deployment = deployment;
        this.history = history;
        this.tenants = tenants;
        this.api = new HttpApi(deployment.adminToken(), Duration.ofSeconds(5));
        this.targets = new Targets(deployment, api);
    }

    public Heal inject(Schedule.Step step) {
        Fault fault = step.fault();
        return switch (fault) {
            case BROKER_KILL -> brokerKill(fault, targets.broker(step.draw()));
            case BROKER_PAUSE -> brokerPause(fault, targets.broker(step.draw()));
            case NODE_KILL -> nodeKill(fault, targets.node(step.draw(), tenants.names()));
            case NODE_PAUSE -> nodePause(fault, targets.node(step.draw(), tenants.names()));
            case ZK_RESTART -> zooKeeperRestart(fault);
            case CONTROLLER_KILL_AT_MIGRATION -> controllerKillAtMigration(fault, step.draw());
            case REGION_LOSS -> regionLoss(fault, deployment.regions().get(step.draw() % deployment.regions().size()));
            case DISK_FULL -> diskFull(fault, deployment.regions().get(step.draw() % deployment.regions().size()));
            case RESTART_ALL -> restartAll(fault);
            case POISON -> poison(fault, tenants.names().get(step.draw() % tenants.names().size()));
            case MEMBER_KILL -> memberKill(fault, step.draw());
            case MIXED -> throw new IllegalArgumentException("mixed is a schedule, not a fault");
        };
    }

    private Heal brokerKill(Fault fault, Targets.Target target) {
        int index = target.brokerIndex();
        long pid = deployment.brokerPid(index);
        deployment.processes().kill(pid);
        event(fault, FaultEvent.INJECT, "broker-" + index, pid, "kill -9; " + target.role());
        return () -> {
            deployment.restartBroker(index);
            event(fault, FaultEvent.HEAL, "broker-" + index, deployment.brokerPid(index), "restarted, registered");
        };
    }

    private Heal brokerPause(Fault fault, Targets.Target target) {
        int index = target.brokerIndex();
        long pid = deployment.brokerPid(index);
        deployment.processes().stop(pid);
        event(fault, FaultEvent.INJECT, "broker-" + index, pid, "SIGSTOP; " + target.role());
        return () -> {
            deployment.processes().resume(pid);
            event(fault, FaultEvent.HEAL, "broker-" + index, pid, "SIGCONT");
        };
    }

    private Heal nodeKill(Fault fault, Targets.Target target) {
        String region = target.region();
        String held = heldController(region);
        long pid = deployment.killNode(region);
        event(fault, FaultEvent.INJECT, "node-" + region, pid, "kill -9" + ofNodes(deployment.nodesPerRegion())
                + "; " + target.role() + held);
        return () -> restartNode(fault, region);
    }

    private Heal nodePause(Fault fault, Targets.Target target) {
        String region = target.region();
        List<Long> pids = deployment.nodePids(region);
        if (pids.isEmpty()) {
            throw new IllegalStateException("no node in " + region);
        }
        String held = heldController(region);
        pids.forEach(deployment.processes()::stop);
        event(fault, FaultEvent.INJECT, "node-" + region, pids.get(0), "SIGSTOP" + ofNodes(pids.size()) + "; "
                + target.role() + held);
        return () -> {
            pids.forEach(deployment.processes()::resume);
            event(fault, FaultEvent.HEAL, "node-" + region, pids.get(0), "SIGCONT" + ofNodes(pids.size()));
        };
    }

    /**
     * kill -9 of one node of a region that has several, restarted after the hold; skipped (with the reason in the
     * history) where every region has one node. The region must not fail over: the checker looks for a failover.
     */
    private Heal memberKill(Fault fault, int draw) {
        if (deployment.nodesPerRegion() < 2) {
            event(fault, FaultEvent.SKIP, "members", -1, "skipped: every region has one node "
                    + "(member-kill needs --nodes-per-region 2 or more)");
            return () -> { };
        }
        Targets.Member target = targets.member(draw, tenants.names());
        String held = deployment.controllerNode().filter(target.nodeId()::equals).isPresent()
                ? "; " + FailoverBudget.HELD_CONTROLLER : "";
        long pid = deployment.killMember(target.region(), target.index());
        event(fault, FaultEvent.INJECT, "node-" + target.nodeId(), pid, "kill -9 of 1 of "
                + deployment.nodesPerRegion() + " nodes of " + target.region() + "; " + target.role() + held);
        return () -> {
            deployment.restartMember(target.region(), target.index(), ChaosDeployment.READY_TIMEOUT);
            event(fault, FaultEvent.HEAL, "node-" + target.nodeId(),
                    deployment.memberPid(target.region(), target.index()).orElse(-1L), "restarted, ready");
        };
    }

    /** " of the N nodes" when a region has several, else empty (as the event read with one node per region). */
    private static String ofNodes(int nodes) {
        return nodes > 1 ? " of the " + nodes + " nodes" : "";
    }

    private Heal zooKeeperRestart(Fault fault) {
        deployment.local().zookeeper().stop();
        event(fault, FaultEvent.INJECT, "zookeeper", -1, "stopped");
        return () -> {
            deployment.local().zookeeper().restart();
            event(fault, FaultEvent.HEAL, "zookeeper", -1, "restarted");
        };
    }

    /**
     * Starts a migration of a run tenant and kills the controller's node as soon as the migration reached the drawn
     * step (or passed it: the step actually seen is recorded). The migration is in the history, so the checker
     * looks for its end.
     */
    private Heal controllerKillAtMigration(Fault fault, int draw) {
        String tenant = tenants.names().get(draw % tenants.names().size());
        String step = MIGRATION_STEPS.get((draw / 3) % MIGRATION_STEPS.size());
        String primary = targets.primaryOf(tenant).orElse(tenants.firstPrimary(tenant));
        List<String> others = tenants.regions().stream().filter(r -> !r.equals(primary)).toList();
        String target = others.get((draw / 9) % others.size());
        String controller = deployment.controllerRegion().orElse(primary);
        String url = deployment.regionUrls().get(controller);
        long start = history.now();
        var started = api.send("POST", url + "/admin/tenants/" + tenant + "/migrate",
                "{\"to_region\":\"" + target + "\"}", Map.of());
        String id = started.json().path("id").asText("");
        history.record(new Op(history.nextId(), "migrate", tenant, "", "", "", start, history.now(),
                started.ok() ? Op.OK : Op.FAIL, started.status(), started.code(), "", "", controller, 1,
                id.isEmpty() ? "not started" : id));
        String seen = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!id.isEmpty() && System.nanoTime() < deadline) {
            seen = api.send("GET", url + "/admin/migrations/" + id, null, Map.of()).json().path("state").asText("");
            if (seen.equals(step) || ENDED.contains(seen)
                    || MIGRATION_STEPS.indexOf(seen) > MIGRATION_STEPS.indexOf(step)) {
                break;
            }
            ChaosDeployment.pause(Duration.ofMillis(10));
        }
        long pid = deployment.killNode(controller);
        event(fault, FaultEvent.INJECT, "node-" + controller, pid, "kill -9 of the controller's node; migration "
                + id + " of " + tenant + " " + primary + "->" + target + " aimed at " + step + ", seen " + seen);
        return () -> restartNode(fault, controller);
    }

    private Heal regionLoss(Fault fault, String region) {
        int broker = deployment.regions().indexOf(region);
        String held = heldController(region);
        long nodePid = deployment.killNode(region);
        long brokerPid = deployment.brokerPid(broker);
        deployment.processes().kill(brokerPid);
        event(fault, FaultEvent.INJECT, "region-" + region, nodePid, "kill -9 of the node and of broker-" + broker
                + " (pid " + brokerPid + ")" + held);
        return () -> {
            deployment.restartBroker(broker);
            restartNode(fault, region);
        };
    }

    /**
     * Fills the region's state tmpfs. Healing frees it and waits for the node to be ready; a node that does not
     * recover by itself within {@link #DISK_RECOVERY} (its applier died on the full disk) is killed and restarted,
     * as an operator would, and the event says so.
     */
    private Heal diskFull(Fault fault, String region) {
        var skipped = deployment.diskFull().skipped();
        if (skipped.isPresent()) {
            event(fault, FaultEvent.SKIP, "state-" + region, -1, "skipped: " + skipped.get());
            return () -> { };
        }
        long bytes = deployment.diskFull().fill(region);
        long pid = deployment.nodePid(region).orElse(-1L);
        event(fault, FaultEvent.INJECT, "state-" + region, pid, "tmpfs under the applier state full ("
                + bytes / (1 << 20) + " MiB of filler)");
        return () -> {
            deployment.diskFull().free(region);
            String how = "freed; node recovered by itself";
            try {
                deployment.restartNode(region, DISK_RECOVERY);
            } catch (IllegalStateException notReady) {
                deployment.killNode(region);
                deployment.restartNode(region);
                how = "freed; node not ready within " + DISK_RECOVERY.toSeconds() + " s, killed and restarted";
            }
            event(fault, FaultEvent.HEAL, "state-" + region, deployment.nodePid(region).orElse(-1L), how);
        };
    }

    private Heal restartAll(Fault fault) {
        event(fault, FaultEvent.INJECT, "all", -1, "stopping every node, broker and ZooKeeper");
        deployment.restartAll();
        event(fault, FaultEvent.HEAL, "all", -1, "started again, every node ready");
        return () -> { };
    }

    private Heal poison(Fault fault, String tenant) {
        String what = PoisonProducer.produce(deployment.bootstrapServers(), tenant, 12);
        event(fault, FaultEvent.INJECT, "meridian.wal", -1, what);
        return () -> { };
    }

    /** "; held the controller" when {@code region}'s node leads, for the failover budget; else empty. */
    private String heldController(String region) {
        return deployment.controllerRegion().filter(region::equals).isPresent()
                ? "; " + FailoverBudget.HELD_CONTROLLER : "";
    }

    private void restartNode(Fault fault, String region) {
        deployment.restartNode(region);
        event(fault, FaultEvent.HEAL, "node-" + region, deployment.nodePid(region).orElse(-1L), "restarted, ready");
    }

    private void event(Fault fault, String action, String target, long pid, String detail) {
        history.record(new FaultEvent(history.now(), fault.cliName(), action, target, pid, detail));
    }
}
