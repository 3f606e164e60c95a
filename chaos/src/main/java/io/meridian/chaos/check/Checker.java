package io.meridian.chaos.check;

import io.meridian.chaos.check.FinalReads.Doc;
import io.meridian.chaos.history.Op;
import io.meridian.infra.model.Position;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The safety checks of one run over its history, the final reads and the committed log. Pure: no I/O, so every
 * check is unit-tested on hand-made histories. Positions of one tenant are all in one WAL partition, so comparing
 * them orders writes of a key.
 */
public final class Checker {
    private static final int MAX_EXAMPLES = 20;

    private final List<Op> ops;
    private final List<String> examples = new ArrayList<>();

    public Checker(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    public List<String> examples() {
        return examples;
    }

    /** Per tenant, every key the run wrote (any outcome): what the final reads read. */
    public Map<String, Set<String>> keysByTenant() {
        Map<String, Set<String>> keys = new HashMap<>();
        writes().forEach(w -> keys.computeIfAbsent(w.tenant(), t -> new HashSet<>()).add(w.key()));
        return keys;
    }

    /** Per tenant, the highest acknowledged position. */
    public Map<String, Position> lastAcknowledged() {
        Map<String, Position> last = new HashMap<>();
        acknowledged().forEach(w -> last.merge(w.tenant(), Position.parse(w.position()),
                (a, b) -> a.compareTo(b) >= 0 ? a : b));
        return last;
    }

    /**
     * Lost and overwritten-by-older, per (key, region), judged on the key's last acknowledged write: the region must
     * hold a document at that position or later, whose value some write of the key produced.
     *
     * @return {lost, overwrittenByOlder}
     */
    public long[] lostAndOverwritten(FinalReads reads) {
        Map<String, Set<String>> attempted = new HashMap<>();
        writes().forEach(w -> attempted.computeIfAbsent(FinalReads.id(w.tenant(), w.key()), k -> new HashSet<>())
                .add(w.writeId()));
        Map<String, Op> lastAck = new HashMap<>();
        acknowledged().forEach(w -> lastAck.merge(FinalReads.id(w.tenant(), w.key()), w,
                (a, b) -> Position.parse(a.position()).compareTo(Position.parse(b.position())) >= 0 ? a : b));
        long lost = 0;
        long older = 0;
        for (Op last : lastAck.values()) {
            for (var entry : reads.of(last.tenant(), last.key()).entrySet()) {
                Doc doc = entry.getValue();
                String where = last.tenant() + "/" + last.key() + " in " + entry.getKey();
                if (!doc.readable()) {
                    continue;  // counted as unreadable
                }
                if (!doc.present()) {
                    lost++;
                    example("lost: " + where + " is missing; " + last.writeId() + " was acknowledged at "
                            + last.position());
                } else if (!attempted.get(FinalReads.id(last.tenant(), last.key())).contains(doc.value())) {
                    lost++;
                    example("lost: " + where + " holds " + doc.value() + ", which no write of it carried");
                } else if (Position.parse(doc.position()).compareTo(Position.parse(last.position())) < 0) {
                    older++;
                    example("overwritten by older: " + where + " holds " + doc.value() + " at " + doc.position()
                            + " but " + last.writeId() + " was acknowledged at " + last.position());
                }
            }
        }
        return new long[] {lost, older};
    }

    /**
     * Idempotency-Keys applied twice, decided against the committed WAL ({@link WalDuplicates}).
     *
     * @param walPositions per {@code tenant/writeId}, the positions of its data records ({@link LogScan})
     * @param writeIdAt    per position of a data record, its {@code tenant/writeId}
     * @return {duplicates, documents seen at a position that holds another record}
     */
    public long[] duplicates(FinalReads reads, Map<String, List<String>> walPositions, Map<String, String> writeIdAt) {
        return new WalDuplicates(walPositions, writeIdAt, examples, MAX_EXAMPLES)
                .count(WalDuplicates.seen(ops, reads, keysByTenant()));
    }

    /** Reads sent with a position token of a write of the same key, answered 404 or with an older position. */
    public long staleReads() {
        long stale = 0;
        for (Op op : ops) {
            if (!"read".equals(op.kind()) || op.minPosition().isEmpty()) {
                continue;
            }
            boolean missing = op.status() == 404;
            boolean older = op.status() == 200 && !op.position().isEmpty()
                    && Position.parse(op.position()).compareTo(Position.parse(op.minPosition())) < 0;
            if (missing || older) {
                stale++;
                example("stale read: " + op.tenant() + "/" + op.key() + " in " + op.region() + " with token "
                        + op.minPosition() + " answered " + op.status() + " " + op.value() + " at " + op.position());
            }
        }
        return stale;
    }

    /** Tenants some key of which differs (value or position) between regions that could both read it. */
    public long divergentTenants(FinalReads reads) {
        Set<String> divergent = new HashSet<>();
        keysByTenant().forEach((tenant, keys) -> keys.forEach(key -> {
            Collection<Doc> docs = reads.of(tenant, key).values();
            Set<String> versions = docs.stream().filter(Doc::readable)
                    .map(d -> d.status() + " " + d.value() + " " + d.position()).collect(Collectors.toSet());
            if (versions.size() > 1 && divergent.add(tenant)) {
                example("divergent: " + tenant + "/" + key + " " + reads.of(tenant, key));
            }
        }));
        return divergent.size();
    }

    /** Final reads that got neither a document nor 404 within the read deadline. */
    public long unreadable(FinalReads reads) {
        return keysByTenant().entrySet().stream().flatMap(e -> e.getValue().stream()
                .flatMap(key -> reads.of(e.getKey(), key).values().stream())).filter(d -> !d.readable()).count();
    }

    /**
     * Leadership committed by two nodes in one controller epoch, or a committed controller record with a lower
     * epoch after a higher one in the same partition (a deposed controller that still committed).
     */
    public long controllerConflicts(List<LogScan.Stamped> stamped) {
        long conflicts = 0;
        Map<Long, Set<String>> leaders = new HashMap<>();
        stamped.stream().filter(s -> "leadership".equals(s.type()) && !s.node().isEmpty())
                .forEach(s -> leaders.computeIfAbsent(s.epoch(), e -> new HashSet<>()).add(s.node()));
        for (var entry : leaders.entrySet()) {
            if (entry.getValue().size() > 1) {
                conflicts++;
                example("controller conflict: epoch " + entry.getKey() + " led by " + entry.getValue());
            }
        }
        Map<String, LogScan.Stamped> highest = new HashMap<>();
        List<LogScan.Stamped> ordered = stamped.stream().sorted(Comparator.comparing(LogScan.Stamped::topic)
                .thenComparingInt(LogScan.Stamped::partition).thenComparingLong(LogScan.Stamped::offset)).toList();
        for (LogScan.Stamped s : ordered) {
            String partition = s.topic() + "-" + s.partition();
            LogScan.Stamped before = highest.get(partition);
            if (before != null && s.epoch() < before.epoch()) {
                conflicts++;
                example("controller conflict: " + s.type() + " of epoch " + s.epoch() + " at " + partition + "@"
                        + s.offset() + " after epoch " + before.epoch() + " at @" + before.offset());
            } else {
                highest.put(partition, s);
            }
        }
        return conflicts;
    }

    /** Ids of the migrations the run started (answered with an id). */
    public List<String> migrationIds() {
        return ops.stream().filter(op -> "migrate".equals(op.kind()) && Op.OK.equals(op.outcome()))
                .map(Op::detail).filter(Objects::nonNull).filter(d -> !d.isEmpty()).distinct().toList();
    }

    /**
     * Ingest requests Kafka acknowledged that got no outcome on {@code meridian.ingest-results} by the end (the faults
     * healed, and the outcomes still due waited for).
     */
    public long ingestWithoutOutcome() {
        long missing = 0;
        for (Op op : ops) {
            if ("ingest".equals(op.kind()) && Op.INFO.equals(op.outcome())
                    && !op.detail().startsWith("not produced")) {
                missing++;
                example("ingest without outcome: " + op.writeId() + " (" + op.tenant() + "/" + op.key() + ")");
            }
        }
        return missing;
    }

    /** Ingest requests whose accepted outcomes name more than one position: applied twice, or answered wrongly. */
    public long ingestPositionConflicts() {
        Map<String, Set<String>> positions = new HashMap<>();
        ops.stream().filter(op -> "ingest-outcome".equals(op.kind()) && Op.OK.equals(op.outcome()))
                .forEach(op -> positions.computeIfAbsent(op.writeId(), id -> new java.util.TreeSet<>())
                        .add(op.position()));
        long conflicts = 0;
        for (var entry : positions.entrySet()) {
            if (entry.getValue().size() > 1) {
                conflicts++;
                example("ingest accepted at two positions: " + entry.getKey() + " " + entry.getValue());
            }
        }
        return conflicts;
    }

    /** Ingest requests the run sent (Kafka acknowledged or not). */
    public long ingestRequests() {
        return ops.stream().filter(op -> "ingest".equals(op.kind())).count();
    }

    private List<Op> writes() {
        return ops.stream().filter(Op::isWrite).toList();
    }

    private List<Op> acknowledged() {
        return ops.stream().filter(Op::acceptedWrite).filter(op -> !op.position().isEmpty()).toList();
    }

    private void example(String text) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(text);
        }
    }
}
