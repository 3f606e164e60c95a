package io.meridian.bench.cost;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The measurements of one window: {@link #opening} right before the load's window opens, {@link #closing} right
 * before it closes, then {@link #result}. Both edges take the same snapshots in the same order (GC scrape, end
 * offsets, CPU), so the time the snapshots take is the same at both edges and does not widen what they measure
 * against the load's count of writes. A measurement that fails becomes a line in the result's problems instead of
 * stopping the bench. For one thread; each method once, in that order.
 */
public final class CostWindow {
    private static final Duration OFFSETS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrap;
    private final List<WatchedProcess> processes;
    private final ProcStat procStat;
    private final GcPauses gcPauses;
    private final List<String> problems = new ArrayList<>();
    private TrafficCounter counter;
    private Map<String, Double> gcBefore;
    private Map<String, Double> gcAfter;
    private CpuSnapshot cpuBefore;
    private CpuSnapshot cpuAfter;
    private long openedAt;
    private long closedAt;
    private double loadAtOpen;
    private double loadAtClose;

    CostWindow(String bootstrap, List<WatchedProcess> processes, ProcStat procStat, GcPauses gcPauses) {
        this.bootstrap = bootstrap;
        this.processes = processes;
        this.procStat = procStat;
        this.gcPauses = gcPauses;
    }

    public void opening() {
        gcBefore = gcPauses.snapshot();
        try {
            counter = TrafficCounter.start(bootstrap);
        } catch (RuntimeException e) {
            problems.add("kafka records not counted: " + e.getMessage());
        }
        loadAtOpen = loadAverage();
        cpuBefore = CpuSnapshot.take(procStat, processes);
        openedAt = System.nanoTime();
    }

    public void closing() {
        gcAfter = gcPauses.snapshot();
        if (counter != null) {
            try {
                counter.markEnd(OFFSETS_TIMEOUT);
            } catch (RuntimeException e) {
                problems.add("kafka records not counted: " + e.getMessage());
                counter = null;
            }
        }
        loadAtClose = loadAverage();
        cpuAfter = CpuSnapshot.take(procStat, processes);
        closedAt = System.nanoTime();
    }

    /** The cost of the window, whose load acknowledged {@code writes}. */
    public WriteCost result(String scenario, String target, long writes) {
        if (cpuAfter == null) {
            throw new IllegalStateException("the window was not opened and closed");
        }
        List<PartitionTraffic> traffic = List.of();
        if (counter != null) {
            try {
                traffic = counter.finish(CATCH_UP_TIMEOUT);
            } catch (RuntimeException e) {
                problems.add("kafka records not counted: " + e.getMessage());
            }
        }
        List<WriteCost.ProcessCpu> cpu = new ArrayList<>();
        cpuAfter.since(cpuBefore, processes).forEach((process, millis) -> cpu.add(new WriteCost.ProcessCpu(process,
                millis)));
        List<WriteCost.JvmGc> gc = new ArrayList<>();
        gcAfter.forEach((jvm, after) -> gc.add(new WriteCost.JvmGc(jvm, after - gcBefore.getOrDefault(jvm, Double.NaN),
                jvm.equals(GcPauses.BENCH) ? "GarbageCollectorMXBeans" : "/metrics " + GcPauses.PAUSE_SUM)));
        return new WriteCost(scenario, target, writes, (closedAt - openedAt) / 1e9, TopicTraffic.byTopic(traffic),
                cpu, gc, loadAtOpen, loadAtClose, problems);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
