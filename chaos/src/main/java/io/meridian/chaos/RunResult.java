package io.meridian.chaos;

import io.meridian.chaos.check.Findings;

/**
 * One run of the harness: a fault kind (or the mixed schedule) with one seed, and what the checker found.
 *
 * @param loadAverage    the 1-minute load average from {@code /proc/loadavg} at the end of the workload
 * @param history        the JSON-lines history file
 * @param nodesPerRegion the deployment's nodes per region
 */
public record RunResult(String name, String fault, long seed, String backend, long durationMs, long operations,
                        long acknowledged, Findings findings, String loadAverage, String history,
                        int nodesPerRegion) {

    public boolean safe() {
        return findings.safetyViolations() == 0;
    }
}
