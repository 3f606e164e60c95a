package io.meridian.chaos.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The full-disk fault's ground: before the nodes start, each node's applier state directory
 * ({@code state/<region>-1}) is mounted as a small tmpfs of its own (we need root; where {@code mount} refuses, the
 * fault is skipped with the reason). Filling a region's tmpfs with a filler file makes its disk full; deleting the
 * file heals it. Every mount is undone at close, and left-overs of a killed harness before a new deployment. Used by
 * the scheduler's thread.
 */
public final class DiskFull implements AutoCloseable {
    /**
     * Well above an applier's state (~220 MiB for 12 tasks after a short run: RocksDB's files per task), so the disk is
     * full only while the fault holds; only what is used takes memory.
     */
    static final String SIZE = "1g";
    private static final String FILLER = "chaos-disk-filler";

    private final Map<String, Path> mounted = new LinkedHashMap<>();
    private final String skipped;

    private DiskFull(Map<String, Path> mounted, String skipped) {
        this.mounted.putAll(mounted);
        this.skipped = skipped;
    }

    /** Mounts a tmpfs on every region's applier state directory under {@code stateDir}, or none (then says why). */
    static DiskFull mount(Path stateDir, List<String> regions) {
        Map<String, Path> done = new LinkedHashMap<>();
        for (String region : regions) {
            Path dir = stateDir.resolve(region + "-1").toAbsolutePath();
            try {
                Files.createDirectories(dir);
                String error = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", dir.toString());
                if (error != null) {
                    new DiskFull(done, "").close();
                    return new DiskFull(Map.of(), "mount -t tmpfs refused (" + error + ")");
                }
                done.put(region, dir);
            } catch (IOException e) {
                new DiskFull(done, "").close();
                return new DiskFull(Map.of(), "cannot prepare " + dir + ": " + e.getMessage());
            }
        }
        return new DiskFull(done, "");
    }

    /** Unmounts every tmpfs left under {@code root} (by a harness that was killed), deepest first. */
    public static void unmountLeftovers(Path root) {
        String prefix = root.toAbsolutePath().toString() + "/";
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && "tmpfs".equals(fields[2]) && fields[1].startsWith(prefix)) {
                    points.add(fields[1]);
                }
            }
            points.sort(Comparator.comparingInt(String::length).reversed());
            points.forEach(p -> run("umount", "-l", p));
        } catch (IOException e) {
            // no /proc/mounts: nothing was mounted by us either
        }
    }

    /** Why the fault cannot run here, or empty when it can. */
    public Optional<String> skipped() {
        return skipped.isEmpty() ? Optional.empty() : Optional.of(skipped);
    }

    /** Fills {@code region}'s state tmpfs to the last byte; returns the bytes written. */
    long fill(String region) {
        Path dir = mounted.get(region);
        if (dir == null) {
            throw new IllegalStateException("no tmpfs for " + region + ": " + skipped);
        }
        long written = 0;
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER))) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException full) {
            // ENOSPC: the disk is full, as wanted; top up what a smaller write still fits
            try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER + "-tail"))) {
                while (true) {
                    out.write(chunk, 0, 4096);
                    written += 4096;
                }
            } catch (IOException fullAgain) {
                return written;
            }
        }
    }

    /** Deletes the filler: the disk has room again. */
    void free(String region) {
        Path dir = mounted.get(region);
        try {
            Files.deleteIfExists(dir.resolve(FILLER));
            Files.deleteIfExists(dir.resolve(FILLER + "-tail"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete the filler in " + dir, e);
        }
    }

    /** Runs a command; null when it exited 0, else its output. */
    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out";
            }
            String output = new String(process.getInputStream().readAllBytes()).trim();
            return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() {
        mounted.values().forEach(dir -> run("umount", "-l", dir.toString()));
        mounted.clear();
    }
}
