package io.meridian.chaos.check;

import io.meridian.chaos.check.FinalReads.Doc;
import io.meridian.chaos.history.Op;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * "A write with one Idempotency-Key applied twice", decided from the committed WAL. A good client's retries put
 * several data records of one {@code tenant/writeId} in the log, and that is legitimate: the applier accepts at most
 * one of them within its window (the first it does not reject), and answers later ones with that first position. So
 * a record took effect only if some region showed it: a document read back (during the run or in the final reads)
 * or an acknowledgement carrying its position. The rule: two DIFFERENT WAL positions of one {@code tenant/writeId}
 * both seen as a document's position is a duplicate. Retries that were rejected or answered as duplicates are never
 * seen as a position, so they cannot make this fire.
 *
 * <p>It also finds a document whose position holds another write's record in the WAL (or no data record at all):
 * the region shows a value at a place where the log put something else. Pure.
 */
public final class WalDuplicates {
    private final Map<String, List<String>> walPositions;
    private final Map<String, String> writeIdAt;
    private final List<String> examples;
    private final int maxExamples;

    /**
     * @param walPositions per {@code tenant/writeId}, the positions of its data records in the WAL
     * @param writeIdAt    per position of a data record, its {@code tenant/writeId}
     * @param examples     where violations are spelled out (up to {@code maxExamples} in all)
     */
    public WalDuplicates(Map<String, List<String>> walPositions, Map<String, String> writeIdAt, List<String> examples,
                         int maxExamples) {
        this.walPositions = walPositions;
        this.writeIdAt = writeIdAt;
        this.examples = examples;
        this.maxExamples = maxExamples;
    }

    /**
     * What the run saw applied, per {@code tenant/writeId}: acknowledged positions (HTTP writes, accepted ingest
     * requests) and documents read back.
     */
    public static Map<String, Set<String>> seen(List<Op> ops, FinalReads reads, Map<String, Set<String>> keys) {
        Map<String, Set<String>> seen = new HashMap<>();
        for (Op op : ops) {
            if (op.acceptedWrite() && !op.position().isEmpty()) {
                add(seen, op.tenant(), op.writeId(), op.position());
            } else if ("read".equals(op.kind()) && op.status() == 200 && !op.position().isEmpty()) {
                add(seen, op.tenant(), op.value(), op.position());
            }
        }
        keys.forEach((tenant, tenantKeys) -> tenantKeys.forEach(key -> reads.of(tenant, key).values().stream()
                .filter(Doc::present).filter(d -> !d.position().isEmpty())
                .forEach(d -> add(seen, tenant, d.value(), d.position()))));
        return seen;
    }

    private static void add(Map<String, Set<String>> seen, String tenant, String writeId, String position) {
        seen.computeIfAbsent(tenant + "/" + writeId, k -> new HashSet<>()).add(position);
    }

    /** @return {duplicates (tenant/writeIds applied at two positions), misplaced (positions holding another record)} */
    public long[] count(Map<String, Set<String>> seen) {
        long duplicates = 0;
        long misplaced = 0;
        for (var entry : seen.entrySet()) {
            String id = entry.getKey();
            List<String> logged = walPositions.getOrDefault(id, List.of());
            Set<String> applied = new TreeSet<>();
            for (String position : entry.getValue()) {
                if (logged.contains(position)) {
                    applied.add(position);
                } else {
                    misplaced++;
                    example("misplaced: " + id + " seen at " + position + ", where the WAL holds "
                            + writeIdAt.getOrDefault(position, "no data record") + " (its records: " + logged + ")");
                }
            }
            if (applied.size() > 1) {
                duplicates++;
                example("duplicate (WAL): " + id + " has " + logged.size() + " records " + logged
                        + "; documents were seen at " + applied);
            }
        }
        return new long[] {duplicates, misplaced};
    }

    private void example(String text) {
        if (examples.size() < maxExamples) {
            examples.add(text);
        }
    }
}
