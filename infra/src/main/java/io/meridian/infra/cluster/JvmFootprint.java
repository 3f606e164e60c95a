package io.meridian.infra.cluster;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM options and environment that keep the child JVMs of a local deployment small: {@code meridian local} runs
 * eight JVMs on one machine (the launcher with ZooKeeper, a KRaft controller, three brokers, three region nodes), and
 * with JVM defaults they took 2.9 GiB resident under a light write load, mostly heap that G1 had grown and kept.
 * Each option here says why it is there; README's "Memory" section sums them up with the figures.
 */
public final class JvmFootprint {
    /** glibc's malloc arenas; see {@link #environment()}. */
    public static final String MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";
    /** How often the JVM hands freed malloc memory back to the OS (JDK 17.0.9+; left out where unknown). */
    static final String TRIM_NATIVE_HEAP_INTERVAL = "TrimNativeHeapInterval";
    static final String TRIM_NATIVE_HEAP_MILLIS = "10000";
    /** Largest temporary direct buffer a thread keeps cached for socket reads and writes of heap buffers. */
    static final int MAX_CACHED_NIO_BUFFER_BYTES = 256 * 1024;

    private JvmFootprint() {
    }

    /**
     * Options of a small server JVM.
     *
     * @param initialHeap {@code -Xms}: small, the heap grows to what the live data needs
     * @param maxHeap {@code -Xmx}: a bound for bursts (restores, catch-up), far above the measured live data
     * @param maxMetaspace {@code -XX:MaxMetaspaceSize}: about twice what the process was measured to load, so the sum
     *     of all processes has a bound without starving one
     * @param c1Only {@code -XX:TieredStopAtLevel=1}: no C2 compiler; it halves a broker's start on two busy cores and
     *     its code cache and compiler arenas; brokers here never run hot enough to miss C2
     */
    public static List<String> serverOptions(String initialHeap, String maxHeap, String maxMetaspace, boolean c1Only) {
        List<String> options = new ArrayList<>(List.of("-Xms" + initialHeap, "-Xmx" + maxHeap,
                // Serial: the heap only grows when what survives a collection needs it (G1 grew broker heaps to
                // 400 MiB around 120 MiB of live data, to meet its pause goal on two busy cores, and kept them), no
                // concurrent GC threads and no remembered sets. Young pauses on heaps this size take a few ms.
                "-XX:+UseSerialGC",
                "-XX:MaxMetaspaceSize=" + maxMetaspace,
                // A socket read into a heap buffer goes through a temporary direct buffer of the same size, which the
                // thread then keeps; one large fetch response would stay resident per network thread. Bigger ones are
                // freed after use instead (no -XX:MaxDirectMemorySize: a cap would fail the burst, not shrink it).
                "-Djdk.nio.maxCachedBufferSize=" + MAX_CACHED_NIO_BUFFER_BYTES,
                // A process that ran out of memory is better dead (and visible) than limping.
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true"));
        if (c1Only) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        if (supportsFlag(TRIM_NATIVE_HEAP_INTERVAL)) {
            // RocksDB and the JIT free malloc memory that glibc would otherwise keep mapped.
            options.add("-XX:" + TRIM_NATIVE_HEAP_INTERVAL + "=" + TRIM_NATIVE_HEAP_MILLIS);
        }
        return List.copyOf(options);
    }

    /**
     * Environment for the child JVMs: at most two glibc malloc arenas. By default glibc gives up to 8 per core to the
     * threads that malloc (RocksDB's, the JIT's, every Kafka client's), and each keeps its freed memory: tens of MiB
     * per process for no gain on two cores.
     */
    public static Map<String, String> environment() {
        return Map.of(MALLOC_ARENA_MAX, "2");
    }

    /** Whether the JVM running this code (the children run the same java) knows {@code -XX:<flag>}. */
    static boolean supportsFlag(String flag) {
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(flag);
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
