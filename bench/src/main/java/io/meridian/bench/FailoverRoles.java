package io.meridian.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Puts a failover benchmark's deployment in the state a trial needs: warm JITs, every node up and healthy, and the
 * controller on the killed node or elsewhere. The controller is moved with graceful stops of the controller's node
 * (Curator's latch then passes leadership to the next node in its queue, and a restarted node joins at the end), each
 * of which is measured as a {@link HandoverTrial}. Not thread-safe.
 */
final class FailoverRoles {
    private static final int MAX_MOVES = 4;
    private static final List<String> WARM_REGIONS = List.of("eu-west", "ap-south");

    /** Which role the killed node has in a trial. */
    enum Role {
        controller, follower, both, any;

        /** The role of each trial: {@code runs} of each ({@code both}: alternating), or of this one. */
        List<Role> plan(int runs) {
            if (this == both) {
                List<Role> plan = new ArrayList<>();
                IntStream.range(0, runs).forEach(i -> plan.addAll(List.of(controller, follower)));
                return plan;
            }
            return Collections.nCopies(runs, this);
        }
    }

    private final BenchDeployment deployment;
    private final Duration healthFallback;
    private final Consumer<HandoverTrial.Result> handovers;

    FailoverRoles(BenchDeployment deployment, long heartbeatMs, Consumer<HandoverTrial.Result> handovers) {
        this.deployment = deployment;
        this.healthFallback = Duration.ofMillis(heartbeatMs * 6);
        this.handovers = handovers;
    }

    /**
     * Writes to tenants whose primaries are the regions that survive the kills, so that the routers and appliers
     * that serve the failed-over tenants are warm. us-east is not warmed: every trial restarts it cold.
     */
    void warmUp(Duration warmup, int rate) {
        if (warmup.isZero() || rate <= 0) {
            return;
        }
        NodeApi api = deployment.api();
        List<PacedLoad> loads = new ArrayList<>();
        List<LoadWindow> windows = new ArrayList<>();
        try {
            for (String region : WARM_REGIONS) {
                List<String> tenants = IntStream.range(0, 6).mapToObj(i -> "warm-" + region + "-" + i).toList();
                for (String tenant : tenants) {
                    api.place(deployment.url(region), tenant, region, Duration.ofMinutes(1));
                    api.awaitWritable(deployment.url(region), tenant, Duration.ofMinutes(1));
                }
                Workload workload = Workload.of(tenants, Map.of(), 1000, 200);
                LoadWindow window = LoadWindow.everything();
                PacedLoad load = PacedLoad.start(new RouterTarget(region, URI.create(deployment.url(region)),
                        workload), Math.max(1, rate / WARM_REGIONS.size()), 512);
                load.measureInto(window);
                loads.add(load);
                windows.add(window);
            }
            Progress.line("warm-up: %d writes/s to %s for %s", rate, WARM_REGIONS, Progress.seconds(warmup));
            NodeApi.pause(warmup);
        } finally {
            loads.forEach(PacedLoad::close);
        }
        long ok = windows.stream().mapToLong(w -> w.all().ok()).sum();
        long failed = windows.stream().mapToLong(w -> w.all().errorCount()).sum();
        Progress.line("warm-up done: %d writes accepted, %d failed", ok, failed);
    }

    /** Moves the controller until the killed node has {@code role} (at most {@value #MAX_MOVES} moves). */
    void arrange(Role role) {
        for (int move = 0; move <= MAX_MOVES; move++) {
            NodeApi.Election election = controller();
            boolean onVictim = FailoverTrial.VICTIM.equals(election.region());
            if (role == Role.any || (role == Role.controller) == onVictim) {
                return;
            }
            if (move == MAX_MOVES) {
                Progress.line("  the controller is still %s after %d moves; trial goes on as it is", election.region(),
                        MAX_MOVES);
                return;
            }
            Progress.line("  moving the controller away from %s", election.region());
            handovers.accept(HandoverTrial.run(deployment, election));
            recover(election.region());
        }
    }

    /** One graceful handover of the current controller, which is then restarted. */
    void handover() {
        NodeApi.Election election = controller();
        handovers.accept(HandoverTrial.run(deployment, election));
        recover(election.region());
    }

    /** Restarts a stopped or killed node and waits until the others see its region healthy again. */
    void recover(String region) {
        deployment.restart(region);
        deployment.awaitHealthy(region, healthFallback);
    }

    /** The controller as the first node that knows one says; waits while an election runs. */
    private NodeApi.Election controller() {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (String region : List.of("eu-west", "ap-south", "us-east")) {
                Optional<NodeApi.Election> election = deployment.api().election(deployment.url(region));
                if (election.isPresent() && election.get().known()) {
                    return election.get();
                }
            }
            NodeApi.pause(Duration.ofMillis(200));
        }
        throw new IllegalStateException("no node knows a controller after 2 minutes");
    }
}
