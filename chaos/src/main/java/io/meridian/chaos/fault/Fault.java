package io.meridian.chaos.fault;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fault kinds, by their command-line names. {@link #MIXED} is not a fault but a schedule that draws a kind for
 * every slot. Each kind says how long its fault is held before it heals (a range the schedule draws from).
 */
public enum Fault {
    BROKER_KILL("kill -9 of a broker (a random one, the controller's transaction coordinator, or an applier's), "
            + "restarted after the hold", 5_000, 15_000),
    BROKER_PAUSE("SIGSTOP of a broker (chosen as for broker-kill) past its 3 s session timeout, then SIGCONT",
            5_000, 12_000),
    NODE_KILL("kill -9 of a node (the controller's, a tenant's primary region's, or a replica region's), "
            + "restarted after the hold", 4_000, 12_000),
    NODE_PAUSE("SIGSTOP of a node (chosen as for node-kill) past its ZooKeeper session (6 s), then SIGCONT",
            7_000, 12_000),
    ZK_RESTART("stop of ZooKeeper (every session is lost), started again on its data after the hold",
            3_000, 10_000),
    CONTROLLER_KILL_AT_MIGRATION("start a migration, kill -9 of the controller's node once it reached a step "
            + "(writes paused, draining, switched), restarted after the hold", 4_000, 10_000),
    REGION_LOSS("kill -9 of a region's node and of its broker (rack = region), both restarted after the hold",
            6_000, 15_000),
    DISK_FULL("the tmpfs under a node's applier state directory filled to the last byte, freed after the hold "
            + "(skipped with a message where tmpfs cannot be mounted)", 6_000, 12_000),
    RESTART_ALL("every node, broker and ZooKeeper stopped, then started again on their state", 0, 0),
    POISON("records produced straight into meridian.wal: bad JSON, an oversized (~900 KB) put, a put in the wrong "
            + "partition", 0, 0),
    MEMBER_KILL("kill -9 of ONE node of a region that has several (the one owning a tenant's WAL partition in its "
            + "primary or a replica region), restarted after the hold; the region must not fail over (skipped with a "
            + "message with one node per region)", 4_000, 12_000),
    MIXED("a schedule that draws one of the kinds above for every slot", 0, 0);

    /** Every fault kind, in this order (the mixed schedule draws from {@link #kinds(int)}). */
    public static final List<Fault> KINDS = Arrays.stream(values()).filter(f -> f != MIXED).toList();
    /** The four that matter most; the default. */
    public static final List<Fault> CORE = List.of(BROKER_KILL, BROKER_PAUSE, NODE_KILL, ZK_RESTART);

    private final String description;
    private final long minHoldMs;
    private final long maxHoldMs;

    Fault(String description, long minHoldMs, long maxHoldMs) {
        this.description = description;
        this.minHoldMs = minHoldMs;
        this.maxHoldMs = maxHoldMs;
    }

    /**
     * What {@code --faults all} and the mixed schedule run on a deployment of {@code nodesPerRegion} nodes per region,
     * in this order: the kinds that need several nodes of a region only where there are. With one node per region
     * the list (so every seed's mixed schedule) is what it was before such kinds existed.
     */
    public static List<Fault> kinds(int nodesPerRegion) {
        return KINDS.stream().filter(f -> nodesPerRegion > 1 || !f.needsSeveralNodes()).toList();
    }

    /** Whether the fault hits one node of a region among several (skipped where regions have one). */
    public boolean needsSeveralNodes() {
        return this == MEMBER_KILL;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    public long minHoldMs() {
        return minHoldMs;
    }

    public long maxHoldMs() {
        return maxHoldMs;
    }

    public static Fault parse(String text) {
        for (Fault fault : values()) {
            if (fault.cliName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return fault;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + text + "'; known: "
                + Arrays.stream(values()).map(Fault::cliName).toList());
    }
}
