package io.meridian.bench.cost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** CPU time of each watched process at one moment. Immutable. */
final class CpuSnapshot {
    private final Map<WatchedProcess, Long> millis;

    private CpuSnapshot(Map<WatchedProcess, Long> millis) {
        this.millis = millis;
    }

    static CpuSnapshot take(ProcStat stat, List<WatchedProcess> processes) {
        Map<WatchedProcess, Long> millis = new LinkedHashMap<>();
        for (WatchedProcess process : processes) {
            OptionalLong cpu = stat.cpuMillis(process.pid());
            if (cpu.isPresent()) {
                millis.put(process, cpu.getAsLong());
            }
        }
        return new CpuSnapshot(millis);
    }

    static CpuSnapshot of(Map<WatchedProcess, Long> millis) {
        return new CpuSnapshot(Map.copyOf(millis));
    }

    /**
     * CPU milliseconds each process used from {@code before} to this snapshot; NaN for a process missing from either
     * (gone, or restarted under another pid: its counter started again from zero).
     */
    Map<WatchedProcess, Double> since(CpuSnapshot before, List<WatchedProcess> processes) {
        Map<WatchedProcess, Double> used = new LinkedHashMap<>();
        for (WatchedProcess process : processes) {
            Long start = before.millis.get(process);
            Long end = millis.get(process);
            used.put(process, start == null || end == null || end < start ? Double.NaN : (double) (end - start));
        }
        return used;
    }
}
