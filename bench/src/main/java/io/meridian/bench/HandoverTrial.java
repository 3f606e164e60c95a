package io.meridian.bench;

import io.meridian.node.LocalDeployment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Controller handover on a graceful stop: SIGTERM to the controller's node, then the time until another node's
 * election endpoint names a different leader with a higher epoch. The other nodes are polled from a second thread
 * while the stop runs, so the figure does not wait for the stopped JVM to exit. The stopped node stays down: the
 * caller restarts it.
 */
final class HandoverTrial {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(5);

    /**
     * @param handoverMs time from SIGTERM to a new leader seen elsewhere (NaN if none within the timeout)
     * @param exitMs     time from SIGTERM until the stopped node's JVM had exited
     */
    record Result(String stoppedRegion, long oldEpoch, String newRegion, long newEpoch, double handoverMs,
                  double exitMs, double load) {
    }

    private HandoverTrial() {
    }

    static Result run(BenchDeployment deployment, NodeApi.Election before) {
        String stopped = before.region();
        List<String> others = LocalDeployment.REGIONS.stream().filter(r -> !r.equals(stopped)).toList();
        AtomicReference<NodeApi.Election> after = new AtomicReference<>();
        AtomicLong seenAt = new AtomicLong();
        long[] started = new long[1];
        Thread poller = new Thread(() -> {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (after.get() == null && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                for (String observer : others) {
                    Optional<NodeApi.Election> seen = deployment.api().election(deployment.url(observer));
                    if (seen.isPresent() && seen.get().known() && !seen.get().nodeId().equals(before.nodeId())
                            && seen.get().epoch() > before.epoch()) {
                        seenAt.set(System.nanoTime());
                        after.set(seen.get());
                        return;
                    }
                }
                NodeApi.pause(POLL);
            }
        }, "bench-handover-poller");
        started[0] = System.nanoTime();
        poller.start();
        deployment.local().stopNode(stopped);
        long exited = System.nanoTime();
        try {
            poller.join(TIMEOUT.toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        NodeApi.Election next = after.get();
        double handover = next == null ? Double.NaN : (seenAt.get() - started[0]) / 1e6;
        Result result = new Result(stopped, before.epoch(), next == null ? null : next.region(),
                next == null ? -1 : next.epoch(), handover, (exited - started[0]) / 1e6, Summary.loadAverage());
        Progress.line("  graceful stop of controller %s (epoch %d): new leader %s (epoch %d) after %s ms; JVM exited"
                        + " after %s ms", stopped, before.epoch(), result.newRegion(), result.newEpoch(),
                Summary.millis(handover), Summary.millis(result.exitMs()));
        return result;
    }
}
