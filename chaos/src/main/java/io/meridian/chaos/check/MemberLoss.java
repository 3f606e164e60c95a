package io.meridian.chaos.check;

import io.meridian.chaos.check.Findings.FaultWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss of one node of a region that has others ({@code member-kill}) must not fail the region over: its other
 * nodes heartbeat, and Kafka Streams moves the lost node's partitions to them. An automatic failover of that region
 * in the fault's window (from its injection to the next injection or the end of the workload) is a finding, marked on
 * the window and counted; manual failovers are the workload operator's. Pure.
 */
public final class MemberLoss {
    public static final String FAULT = "member-kill";
    static final String AUTOMATIC = "automatic";
    /** What a window's detail gets for each automatic failover of its region. */
    public static final String FAILED_OVER = "REGION FAILED OVER";

    private MemberLoss() {
    }

    /** The windows and the number of automatic failovers found in member-loss windows. */
    public record Marked(List<FaultWindow> windows, long failovers) {
    }

    /**
     * @param windows       every injected fault's window, in order ({@link Availability#perFault})
     * @param failovers     the committed failover events ({@link LogScan#failovers})
     * @param runStartEpoch the wall-clock time (ms) at which the run's clock read 0
     * @param endMs         the end of the workload on the run's clock
     * @param examples      where to spell each finding out
     */
    public static Marked mark(List<FaultWindow> windows, List<LogScan.Failover> failovers, long runStartEpoch,
                              long endMs, List<String> examples) {
        List<FaultWindow> marked = new ArrayList<>();
        long found = 0;
        for (int i = 0; i < windows.size(); i++) {
            FaultWindow w = windows.get(i);
            if (!FAULT.equals(w.fault())) {
                marked.add(w);
                continue;
            }
            long to = i + 1 < windows.size() ? windows.get(i + 1).atMs() : endMs;
            String region = regionOf(w.target());
            StringBuilder detail = new StringBuilder(w.detail());
            for (LogScan.Failover f : failovers) {
                long at = f.startedAtMillis() - runStartEpoch;
                if (AUTOMATIC.equals(f.trigger()) && f.region().equals(region) && at >= w.atMs() && at <= to) {
                    found++;
                    String text = String.format("%s: automatic failover of %s at %.1f s, %.1f s after the %s of "
                            + "%s (its other nodes were alive)", FAILED_OVER, region, at / 1000.0,
                            (at - w.atMs()) / 1000.0, FAULT, w.target());
                    detail.append("; ").append(text);
                    examples.add("member-loss finding: " + text);
                }
            }
            marked.add(new FaultWindow(w.fault(), w.target(), w.atMs(), w.heldMs(), w.worstTenantGapMs(),
                    w.anyTenantGapMs(), w.budgetMs(), detail.toString()));
        }
        return new Marked(marked, found);
    }

    /** The region of a member-kill's target {@code node-<node id>}, node id {@code <region>-<n>}. */
    static String regionOf(String target) {
        String node = target.startsWith("node-") ? target.substring("node-".length()) : target;
        int dash = node.lastIndexOf('-');
        return dash > 0 && node.substring(dash + 1).chars().allMatch(Character::isDigit) ? node.substring(0, dash)
                : node;
    }
}
