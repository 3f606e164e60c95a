package io.meridian.bench;

import java.util.Collection;

/**
 * Median, p99 and max of a handful of measurements (milliseconds), nearest-rank like {@link LatencyRecorder}: with
 * three runs the median is the middle one and the p99 the max. NaN values (a trial that measured nothing) are left
 * out; {@code n} counts the rest. Immutable.
 */
record Summary(int n, double p50, double p99, double max) {

    static Summary of(Collection<Double> values) {
        double[] sorted = values.stream().filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        if (sorted.length == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Summary(sorted.length, rank(sorted, 0.5), rank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Milliseconds as seconds with two decimals, or "-". */
    static String seconds(double millis) {
        return Double.isNaN(millis) ? "-" : String.format("%.2f", millis / 1000);
    }

    /** Milliseconds, whole above 100, or "-". */
    static String millis(double millis) {
        return Double.isNaN(millis) ? "-" : millis >= 100 ? String.format("%.0f", millis) : String.format("%.1f", millis);
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

}
