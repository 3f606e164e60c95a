package io.meridian.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The measured rounds of the apply benchmark, each one applier pass and one raw pass run back to back, and what they
 * say together: the median of each figure and of each round's ratio, with the lowest and highest. One pair of passes
 * said little on these machines: the raw app's rate moved from 17,000 to 100,000 records/s between passes of one
 * run, so a single ratio could read anything from 0.3x to 0.7x. A round's two passes meet about the same moment of
 * the machine, so its ratio is steadier than either rate; the median keeps one bad moment out.
 */
record ApplyRounds(List<Round> rounds) {
    /** One applier pass and one raw pass, run one after the other. */
    record Round(int number, ApplyResult applier, ApplyResult raw) {
        double throughputRatio() {
            return quotient(applier.recordsPerSec(), raw.recordsPerSec());
        }

        double cpuRatio() {
            return quotient(applier.cpuMicrosPerRecord(), raw.cpuMicrosPerRecord());
        }
    }

    /** A figure over the rounds that measured it ({@code count} of them; NaN throughout when none did). */
    record Spread(double median, double min, double max, int count) {
        static Spread of(List<Double> values) {
            List<Double> known = values.stream().filter(v -> !Double.isNaN(v)).sorted().toList();
            if (known.isEmpty()) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            int n = known.size();
            double median = n % 2 == 1 ? known.get(n / 2) : (known.get(n / 2 - 1) + known.get(n / 2)) / 2;
            return new Spread(median, known.get(0), known.get(n - 1), n);
        }
    }

    ApplyRounds {
        rounds = List.copyOf(rounds);
    }

    /** Pairs the passes in the order they ran: the i-th applier pass with the i-th raw pass. */
    static ApplyRounds of(List<ApplyResult> passes) {
        List<ApplyResult> appliers = passes.stream().filter(r -> r.app().equals(StreamsPass.APPLIER)).toList();
        List<ApplyResult> raws = passes.stream().filter(r -> r.app().equals(StreamsPass.RAW)).toList();
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < Math.min(appliers.size(), raws.size()); i++) {
            rounds.add(new Round(i + 1, appliers.get(i), raws.get(i)));
        }
        return new ApplyRounds(rounds);
    }

    boolean isEmpty() {
        return rounds.isEmpty();
    }

    Spread throughputRatio() {
        return Spread.of(rounds.stream().map(Round::throughputRatio).toList());
    }

    Spread cpuRatio() {
        return Spread.of(rounds.stream().map(Round::cpuRatio).toList());
    }

    /**
     * The median of {@code figure} over {@code app}'s passes that measured it (a pass measures nothing as 0), paired or
     * not; empty when none did.
     */
    static Optional<Double> median(List<ApplyResult> passes, String app, ToDoubleFunction<ApplyResult> figure) {
        Spread spread = Spread.of(passes.stream().filter(r -> r.app().equals(app)).map(figure::applyAsDouble)
                .map(value -> value > 0 ? value : Double.NaN).toList());
        return spread.count() == 0 ? Optional.empty() : Optional.of(spread.median());
    }

    /** {@code a / b}, NaN when either side measured nothing (a figure not measured is 0). */
    static double quotient(double a, double b) {
        return a > 0 && b > 0 ? a / b : Double.NaN;
    }
}
