package io.meridian.node;

import io.meridian.infra.concurrent.NamedThreads;
import java.util.Optional;

/**
 * Halts this JVM when the launcher that started it is gone, even after a kill -9 of the launcher. Halt, not exit:
 * the launcher's ZooKeeper and brokers went with it, so a graceful close (commit, leave the group, close the session)
 * can only time out, and meanwhile this process would hold its port and state directory against the next launcher's
 * node. The applier's state is restored from its changelogs at the next start, as after any crash.
 */
final class ParentWatchdog {
    private static final long CHECK_INTERVAL_MS = 500;
    /** Distinct from the node's own exit codes, as the brokers' watchdog does. */
    static final int ORPHANED_EXIT_STATUS = 86;

    private ParentWatchdog() {
    }

    static void haltWhenGone(long parentPid) {
        Thread watchdog = NamedThreads.thread("parent-watchdog", () -> {
            while (parentAlive(parentPid)) {
                try {
                    Thread.sleep(CHECK_INTERVAL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.err.println("meridian node: launcher pid " + parentPid + " is gone; halting");
            Runtime.getRuntime().halt(ORPHANED_EXIT_STATUS);
        });
        watchdog.start();
    }

    /** Alive only while it is still our parent: once it dies we are re-parented, which also defeats pid reuse. */
    static boolean parentAlive(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isPresent() && parent.get().pid() == parentPid && parent.get().isAlive();
    }
}
