package io.meridian.chaos.check;

import java.util.List;
import java.util.Map;

/**
 * What the checker found in one run, each a named result. The safety results must all be zero; availability and
 * errors are figures.
 *
 * @param lost                 acknowledged writes (the last acknowledged one per key) missing in a region, or
 *                             holding a value no write of that key at or after it produced
 * @param overwrittenByOlder   acknowledged writes whose key holds, in some region, a value written before them
 * @param duplicates           Idempotency-Keys applied at two positions (seen in answers and reads)
 * @param staleReads           reads with a position token answered with older data or none
 * @param controllerConflicts  two nodes committing leadership in one controller epoch, or a committed controller
 *                             record with a lower epoch after a higher one in the same partition
 * @param unfinishedMigrations migrations neither completed nor rolled back after the faults healed, and tenants
 *                             whose writes stayed paused
 * @param divergentTenants     tenants whose regions hold different documents at the same WAL position
 * @param unreadable           final reads that got neither a document nor 404 (a region that never caught up)
 * @param memberLossFailovers  automatic failovers of a region while one of its several nodes was lost
 *                             ({@link MemberLoss}): a finding, not a safety violation
 * @param ingestRequests       requests the run produced to {@code meridian.ingest} (a figure)
 * @param ingestWithoutOutcome requests Kafka acknowledged that got no outcome on {@code meridian.ingest-results}
 * @param ingestPositionConflicts requests whose accepted outcomes name two positions (accepted requests lost or
 *                             applied twice are counted in {@code lost} and {@code duplicates}, as HTTP writes are)
 * @param examples             a few violations spelled out, to start debugging from
 */
public record Findings(long lost, long overwrittenByOlder, long duplicates, long staleReads,
                       long controllerConflicts, long unfinishedMigrations, long divergentTenants, long unreadable,
                       long longestUnavailableMs, List<FaultWindow> faults, Map<String, Long> errorsByCode,
                       long memberLossFailovers, long ingestRequests, long ingestWithoutOutcome,
                       long ingestPositionConflicts, List<String> examples) {

    /**
     * One injected fault and the longest time without an acknowledged write while it lasted and after; for the loss
     * of a node, the budget its configuration implies ({@code FailoverBudget}), else 0.
     */
    public record FaultWindow(String fault, String target, long atMs, long heldMs, long worstTenantGapMs,
                              long anyTenantGapMs, long budgetMs, String detail) {
    }

    public long safetyViolations() {
        return lost + overwrittenByOlder + duplicates + staleReads + controllerConflicts + unfinishedMigrations
                + divergentTenants + unreadable + ingestWithoutOutcome + ingestPositionConflicts;
    }
}
