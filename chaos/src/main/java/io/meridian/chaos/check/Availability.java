package io.meridian.chaos.check;

import io.meridian.chaos.check.Findings.FaultWindow;
import io.meridian.chaos.history.FaultEvent;
import io.meridian.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Availability figures from the history: the longest time without an acknowledged write (by the time the client got
 * the acknowledgement), per tenant and over all tenants, in each fault's window (from its injection to the next
 * injection or the end of the workload). Pure.
 */
public final class Availability {
    private Availability() {
    }

    /** The longest gap without an acknowledged write of any single tenant in [fromMs, toMs]. */
    public static long worstTenantGap(List<Op> ops, List<String> tenants, long fromMs, long toMs) {
        Map<String, List<Long>> acks = ops.stream().filter(Op::acknowledgedWrite)
                .collect(Collectors.groupingBy(Op::tenant, Collectors.mapping(Op::endMs, Collectors.toList())));
        long worst = 0;
        for (String tenant : tenants) {
            worst = Math.max(worst, gap(acks.getOrDefault(tenant, List.of()), fromMs, toMs));
        }
        return worst;
    }

    public static long anyTenantGap(List<Op> ops, long fromMs, long toMs) {
        return gap(ops.stream().filter(Op::acknowledgedWrite).map(Op::endMs).toList(), fromMs, toMs);
    }

    /** One window per injected fault; {@code heldMs} is from the injection to its heal (0 when it heals itself). */
    public static List<FaultWindow> perFault(List<Op> ops, List<FaultEvent> faults, List<String> tenants,
                                             long endMs, ToLongFunction<FaultEvent> budget) {
        List<FaultEvent> injections = faults.stream().filter(f -> FaultEvent.INJECT.equals(f.action())).toList();
        List<FaultWindow> windows = new ArrayList<>();
        for (int i = 0; i < injections.size(); i++) {
            FaultEvent inject = injections.get(i);
            long to = i + 1 < injections.size() ? injections.get(i + 1).atMs() : endMs;
            long healedAt = faults.stream().filter(f -> FaultEvent.HEAL.equals(f.action()))
                    .filter(f -> f.atMs() >= inject.atMs() && f.atMs() <= to).mapToLong(FaultEvent::atMs)
                    .max().orElse(inject.atMs());
            windows.add(new FaultWindow(inject.fault(), inject.target(), inject.atMs(), healedAt - inject.atMs(),
                    worstTenantGap(ops, tenants, inject.atMs(), to), anyTenantGap(ops, inject.atMs(), to),
                    budget.applyAsLong(inject), inject.detail()));
        }
        return windows;
    }

    private static long gap(List<Long> times, long fromMs, long toMs) {
        long previous = fromMs;
        long longest = 0;
        for (long t : times.stream().filter(t -> t > fromMs && t <= toMs).sorted().toList()) {
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return Math.max(longest, toMs - previous);
    }
}
