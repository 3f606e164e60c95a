package io.meridian.chaos.history;

/**
 * One fault action: {@code inject} or {@code heal} of fault {@code fault} on {@code target} (a broker, a node's
 * region, ZooKeeper), at {@code atMs} since the run started.
 *
 * @param pid    the process acted on, -1 when not a process (ZooKeeper runs in the harness) or several
 * @param detail what exactly was done (signal, role of the node, migration step)
 */
public record FaultEvent(long atMs, String fault, String action, String target, long pid, String detail) {
    public static final String INJECT = "inject";
    public static final String HEAL = "heal";
    /** A fault that cannot run here (the detail says why). */
    public static final String SKIP = "skip";
}
