package io.meridian.bench.cost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process (user + system, its own threads, not its reaped children) from Linux's
 * {@code /proc/<pid>/stat}, in clock ticks of {@code getconf CLK_TCK}. Where {@code /proc} is missing it falls back
 * to {@link ProcessHandle.Info#totalCpuDuration()}, which reads the same counters on Linux. Thread-safe.
 */
public final class ProcStat {
    /** Linux's USER_HZ on every common architecture; used when {@code getconf} cannot be asked. */
    static final long DEFAULT_TICKS_PER_SECOND = 100;
    /** utime and stime are fields 14 and 15 of the line; after the ")" that ends field 2 they are the 12th and 13th. */
    private static final int UTIME_AFTER_COMM = 11;

    private final long ticksPerSecond;

    ProcStat(long ticksPerSecond) {
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Asks {@code getconf CLK_TCK} once. */
    public static ProcStat create() {
        return new ProcStat(clockTicks());
    }

    /** CPU time of {@code pid} in milliseconds, or empty if the process is gone or cannot be read. */
    public OptionalLong cpuMillis(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            return OptionalLong.of(ticksToMillis(cpuTicks(Files.readString(stat, StandardCharsets.US_ASCII))));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                    .map(d -> OptionalLong.of(d.toMillis())).orElse(OptionalLong.empty());
        }
    }

    long ticksToMillis(long ticks) {
        return ticks * 1000 / ticksPerSecond;
    }

    /**
     * utime + stime of one {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may itself
     * hold spaces and parentheses, so the fields are counted from the last ")".
     *
     * @throws IllegalArgumentException if the line has not that shape
     */
    static long cpuTicks(String statLine) {
        int commEnd = statLine.lastIndexOf(')');
        if (commEnd < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        String[] fields = statLine.substring(commEnd + 1).trim().split("\\s+");
        if (fields.length <= UTIME_AFTER_COMM + 1) {
            throw new IllegalArgumentException("too few fields in /proc/<pid>/stat line: " + statLine);
        }
        return Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[UTIME_AFTER_COMM + 1]);
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            try (InputStream out = getconf.getInputStream()) {
                String answer = new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (getconf.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS) && getconf.exitValue() == 0) {
                    long ticks = Long.parseLong(answer);
                    return ticks > 0 ? ticks : DEFAULT_TICKS_PER_SECOND;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | NumberFormatException e) {
            // no getconf here: Linux's usual value
        }
        return DEFAULT_TICKS_PER_SECOND;
    }
}
