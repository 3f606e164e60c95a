package io.meridian.node;

import io.meridian.infra.concurrent.NamedThreads;
import java.util.Optional;

/** Ends this JVM (running its shutdown hooks) when the launcher that started it is gone, even after a kill -9. */
final class ParentWatchdog {
    private ParentWatchdog() {
    }

    static void exitWhenGone(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        Thread watchdog = NamedThreads.thread("parent-watchdog", () -> {
            while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            System.exit(0);
        });
        watchdog.start();
    }
}
