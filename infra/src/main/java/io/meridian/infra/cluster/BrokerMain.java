package io.meridian.infra.cluster;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of one Kafka node (broker, controller or both) run as a child process by
 * {@link KafkaProcessCluster}.
 *
 * <p>Usage: {@code BrokerMain <parent-pid> <server.properties>}. It starts a daemon watchdog that
 * halts this process as soon as the parent JVM is gone (so a {@code kill -9} of a test JVM leaves no
 * orphan brokers behind), then hands over to {@code kafka.Kafka}, which runs the node until SIGTERM.
 * A parent pid of {@code -1} disables the watchdog (for running a node by hand).
 */
public final class BrokerMain {

    private static final Logger log = LoggerFactory.getLogger(BrokerMain.class);

    /** How often the watchdog looks at the parent; a lost parent is noticed within this delay. */
    static final Duration WATCHDOG_PERIOD = Duration.ofMillis(500);

    /** Exit status used when the watchdog ends the process; distinct from Kafka's own exit codes. */
    static final int ORPHANED_EXIT_STATUS = 86;

    private BrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: BrokerMain <parent-pid|-1> <server.properties>");
            System.exit(2);
            return;
        }
        long parentPid;
        try {
            parentPid = Long.parseLong(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("BrokerMain: parent pid is not a number: " + args[0]);
            System.exit(2);
            return;
        }
        if (parentPid > 0) {
            startParentWatchdog(parentPid);
        }
        log.info("Starting Kafka node from {} (parent pid {})", args[1], parentPid);
        kafka.Kafka.main(new String[] {args[1]});
    }

    private static void startParentWatchdog(long parentPid) {
        Thread watchdog = new Thread(() -> {
            while (true) {
                if (!parentAlive(parentPid)) {
                    log.error("Parent process {} is gone; halting this Kafka node so it does not outlive it", parentPid);
                    // halt, not exit: exit would run Kafka's shutdown hook, whose controlled shutdown can
                    // wait minutes for a controller quorum that is disappearing at the same moment.
                    Runtime.getRuntime().halt(ORPHANED_EXIT_STATUS);
                }
                try {
                    Thread.sleep(WATCHDOG_PERIOD.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "meridian-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * The parent counts as alive only while it is still our parent: once it dies we are re-parented
     * (to init or a sub-reaper), which also protects against the parent's pid being reused.
     */
    static boolean parentAlive(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty() || parent.get().pid() != parentPid) {
            return false;
        }
        return parent.get().isAlive();
    }
}
