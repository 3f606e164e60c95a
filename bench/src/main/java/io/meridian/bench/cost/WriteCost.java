package io.meridian.bench.cost;

import java.util.List;

/**
 * What the writes acknowledged in one measured window cost, in total over the window; the per-write figures divide
 * by {@link #writes}. Everything the deployment did in the window counts (heartbeats, lag monitor, commits of idle
 * tasks), so the figures are the cost per write at that throughput, not of one write alone. Immutable.
 *
 * @param writes      writes acknowledged in the window (the load's count)
 * @param seconds     time between the two snapshots
 * @param topics      records, markers and payload bytes per topic, most records first; empty if not measured
 * @param cpu         CPU milliseconds per process (NaN where it could not be read)
 * @param gc          GC pause milliseconds per JVM (NaN where it could not be read)
 * @param loadAtOpen  1-minute load average when the window opened
 * @param loadAtClose 1-minute load average when it closed
 * @param problems    measurements that failed, one line each
 */
public record WriteCost(String scenario, String target, long writes, double seconds, List<TopicTraffic> topics,
                        List<ProcessCpu> cpu, List<JvmGc> gc, double loadAtOpen, double loadAtClose,
                        List<String> problems) {

    public WriteCost {
        topics = List.copyOf(topics);
        cpu = List.copyOf(cpu);
        gc = List.copyOf(gc);
        problems = List.copyOf(problems);
    }

    /** CPU time one process used in the window. */
    public record ProcessCpu(WatchedProcess process, double millis) {
    }

    /** GC pause time of one JVM in the window, and where the figure comes from. */
    public record JvmGc(String jvm, double millis, String source) {
    }

    /** {@code amount} divided by the writes acknowledged in the window. */
    public double perWrite(double amount) {
        return PerWrite.of(amount, writes);
    }

    /** All topics together. */
    public TopicTraffic totalTraffic() {
        return TopicTraffic.total(topics);
    }

    /** CPU milliseconds of every process of {@code role}; NaN if any of them could not be read, or there is none. */
    public double cpuMillis(WatchedProcess.Role role) {
        List<ProcessCpu> of = cpu.stream().filter(c -> c.process().role() == role).toList();
        return of.isEmpty() ? Double.NaN : of.stream().mapToDouble(ProcessCpu::millis).sum();
    }
}
