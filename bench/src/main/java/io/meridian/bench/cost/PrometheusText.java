package io.meridian.bench.cost;

/** Reading samples out of the Prometheus text exposition format, as a node's {@code /metrics} serves it. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The sum of every sample of metric {@code name} (all label sets), or NaN if there is none. Only exact names
     * count: {@code jvm_gc_pause_seconds_sum} is not {@code jvm_gc_pause_seconds_sum_total}.
     */
    public static double sum(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
                continue;
            }
            int rest = name.length();
            if (rest == line.length() || (line.charAt(rest) != '{' && line.charAt(rest) != ' ')) {
                continue;
            }
            int valueStart = line.charAt(rest) == '{' ? labelsEnd(line, rest) + 1 : rest;
            String[] tokens = line.substring(valueStart).trim().split("\\s+");
            double value = number(tokens[0]);
            if (!Double.isNaN(value)) {
                sum += value;
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /** A sample value; NaN for one that is not a finite number ("+Inf", "NaN"), which a sum cannot use. */
    private static double number(String token) {
        try {
            double value = Double.parseDouble(token);
            return Double.isInfinite(value) ? Double.NaN : value;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Index of the "}" that closes the label set opening at {@code open}; label values may contain "}" in quotes. */
    private static int labelsEnd(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        throw new IllegalArgumentException("unterminated labels: " + line);
    }
}
