package io.meridian.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * The CPU time used so far by the threads of one Streams app in this JVM: those whose name holds its application id
 * (stream threads, state updater, producer and consumer network threads). Unlike a rate, it does not depend on what
 * else the machine runs: on two shared cores the same app's records/s varied fourfold between passes, while its CPU
 * per record is what the app itself costs. The threads are found at the first call (the app is running by then).
 */
final class AppThreadsCpu implements LongSupplier {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final String appId;
    private long[] ids;

    AppThreadsCpu(String appId) {
        this.appId = appId;
    }

    /** Nanoseconds of CPU the app's threads used; a thread that ended since the first call no longer counts. */
    @Override
    public synchronized long getAsLong() {
        if (ids == null) {
            ids = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains(appId))
                    .mapToLong(Thread::getId).toArray();
        }
        long total = 0;
        for (long id : ids) {
            total += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return total;
    }
}
