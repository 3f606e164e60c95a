package io.meridian.bench;

import java.util.Map;

/**
 * The measured window of one write scenario.
 *
 * @param opsPerSec  acknowledged writes per second over the window (open loop: the achieved rate)
 * @param targetRate the scheduled rate of an open loop, 0 for a closed loop
 * @param errors     failed writes by kind ({@code http 503}, {@code TimeoutException}, ...)
 */
record LoadResult(String scenario, String target, long ops, double seconds, double opsPerSec, int targetRate,
                  LatencyRecorder.LatencyStats latency, Map<String, Long> errors) {

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }
}
