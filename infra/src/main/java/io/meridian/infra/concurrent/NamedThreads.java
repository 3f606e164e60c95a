package io.meridian.infra.concurrent;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads, the one way Meridian makes its threads: a thread dump then says what each one is for, and no
 * background thread keeps a JVM alive after its owner is gone (owners close their executors; shutdown hooks exit).
 */
public final class NamedThreads {

    private NamedThreads() {
    }

    /** Threads {@code name}, {@code name-2}, ... (daemon): a single-thread executor's one thread is just {@code name}. */
    public static ThreadFactory factory(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.incrementAndGet();
            return thread(n == 1 ? name : name + "-" + n, r);
        };
    }

    /** Threads {@code prefix-1}, {@code prefix-2}, ... (daemon), for pools of alike threads. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> thread(prefix + "-" + count.incrementAndGet(), r);
    }

    /** A daemon thread named {@code name} that runs {@code task}, not started yet. */
    public static Thread thread(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /** One thread that runs tasks in submission order; tasks still queued at shutdown are dropped. */
    public static ScheduledExecutorService singleThread(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory(name));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }
}
