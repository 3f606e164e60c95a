package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String METRICS = """
            # HELP jvm_gc_pause_seconds Time spent in GC pause
            # TYPE jvm_gc_pause_seconds summary
            jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation",node="us-east-1",region="us-east"} 31
            jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation",node="us-east-1",region="us-east"} 0.25
            jvm_gc_pause_seconds_sum{action="end of major GC",cause="odd } \\" label",gc="G1 Old Generation",node="us-east-1",region="us-east"} 1.5 1712345678000
            jvm_gc_pause_seconds_max{action="end of minor GC",gc="G1 Young Generation"} 0.04
            jvm_gc_pause_seconds_sum_other 7
            jvm_gc_pause_seconds_sum 0.125
            jvm_gc_overhead +Inf
            """;

    @Test
    void shouldSumEveryLabelSetOfExactlyThatName() {
        assertEquals(1.875, PrometheusText.sum(METRICS, "jvm_gc_pause_seconds_sum"), 1e-12);
        assertEquals(31, PrometheusText.sum(METRICS, "jvm_gc_pause_seconds_count"), 1e-12);
    }

    @Test
    void shouldBeNaNForAMissingOrNonFiniteMetric() {
        assertTrue(Double.isNaN(PrometheusText.sum(METRICS, "jvm_gc_concurrent_phase_time_seconds_sum")));
        assertTrue(Double.isNaN(PrometheusText.sum(METRICS, "jvm_gc_overhead")));
    }
}
