package io.meridian.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One region crash: a fresh tenant with its primary in {@link #VICTIM} takes a steady write load there, the node of
 * {@link #VICTIM} is killed ({@code kill -9}), and the trial times, from the kill: a new controller elected (when the
 * killed node was the controller), the tenant's new primary visible in the {@link #OBSERVER}'s placement view, and
 * the first write accepted ({@code 201}) by that new primary. The killed node stays down: the caller restarts it.
 */
final class FailoverTrial {
    static final String VICTIM = "us-east";
    static final String OBSERVER = "eu-west";
    private static final Duration POLL = Duration.ofMillis(10);
    /** Writes to the victim before the kill. */
    private static final Duration STEADY = Duration.ofSeconds(5);

    /**
     * Times in ms from the kill; NaN where the event did not happen within the timeout.
     *
     * @param lastAckMs the last write acknowledged by the victim, relative to the kill (negative: before it)
     */
    record Result(String tenant, String controller, long controllerEpoch, boolean controllerKilled, double electionMs,
                  double placementMs, double acceptedMs, String newPrimary, double lastAckMs, long writesOk,
                  long writesFailed, double load) {
    }

    private FailoverTrial() {
    }

    static Result run(BenchDeployment deployment, String tenant, int rate, Duration timeout) {
        NodeApi api = deployment.api();
        String observer = deployment.url(OBSERVER);
        api.place(observer, tenant, VICTIM, Duration.ofMinutes(1));
        api.awaitWritable(deployment.url(VICTIM), tenant, Duration.ofMinutes(1));
        NodeApi.Election before = api.election(observer).filter(NodeApi.Election::known)
                .orElseThrow(() -> new IllegalStateException(OBSERVER + " knows no controller"));
        boolean controllerKilled = VICTIM.equals(before.region());

        Workload workload = Workload.of(List.of(tenant), Map.of(tenant, 0L), 100, 200);
        LoadWindow window = LoadWindow.everything();
        double electionMs = Double.NaN;
        double placementMs = Double.NaN;
        double acceptedMs = Double.NaN;
        String newPrimary = null;
        long killedAt;
        try (PacedLoad load = PacedLoad.start(new VictimTarget(api.http(), URI.create(deployment.url(VICTIM)),
                workload), rate, 256)) {
            load.measureInto(window);
            NodeApi.pause(STEADY);
            killedAt = System.nanoTime();
            deployment.local().killNode(VICTIM);
            long deadline = killedAt + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (controllerKilled && Double.isNaN(electionMs)) {
                    Optional<NodeApi.Election> now = api.election(observer);
                    if (now.isPresent() && now.get().known() && !VICTIM.equals(now.get().region())
                            && now.get().epoch() > before.epoch()) {
                        electionMs = since(killedAt);
                    }
                }
                if (newPrimary == null) {
                    Optional<String> primary = api.primary(observer, tenant);
                    if (primary.isPresent() && primary.get() != null && !VICTIM.equals(primary.get())) {
                        placementMs = since(killedAt);
                        newPrimary = primary.get();
                    }
                }
                if (newPrimary != null) {
                    Optional<NodeApi.Answer> write = api.putDoc(deployment.url(newPrimary), tenant, "after-failover");
                    if (write.isPresent() && write.get().status() == 201) {
                        acceptedMs = since(killedAt);
                        break;
                    }
                }
                NodeApi.pause(POLL);
            }
        }
        long lastOk = window.lastOkNanos();
        Result result = new Result(tenant, before.region(), before.epoch(), controllerKilled, electionMs, placementMs,
                acceptedMs, newPrimary, lastOk == 0 ? Double.NaN : (lastOk - killedAt) / 1e6, window.all().ok(),
                window.all().errorCount(), Summary.loadAverage());
        Progress.line("  killed %s (%s): %s%s -> first write accepted in %s after %s s (placement seen %s s);"
                        + " load %.1f", VICTIM, controllerKilled ? "the controller" : "controller is " + before.region(),
                controllerKilled ? "new controller after " + Summary.seconds(electionMs) + " s" : "no election",
                "", newPrimary, Summary.seconds(acceptedMs), Summary.seconds(placementMs), result.load());
        return result;
    }

    private static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
