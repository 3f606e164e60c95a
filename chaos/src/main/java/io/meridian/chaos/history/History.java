package io.meridian.chaos.history;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.serde.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The history of one run: every client operation and every fault action, kept in memory for the checker and
 * appended to a JSON-lines file (one object per line, {@code "type":"op"|"fault"}) as it happens, so a crashed run
 * still leaves its history behind. Thread-safe; {@link #close} is idempotent.
 */
public final class History implements AutoCloseable {
    private final long startNanos = System.nanoTime();
    private final AtomicLong ids = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();
    private final List<FaultEvent> faults = new ArrayList<>();
    private final Path file;
    private BufferedWriter out;

    public History(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the history to " + file, e);
        }
    }

    /** Milliseconds since the run started. */
    public long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    public long nextId() {
        return ids.incrementAndGet();
    }

    public Path file() {
        return file;
    }

    public void record(Op op) {
        ObjectNode line = Json.MAPPER.valueToTree(op);
        line.put("type", "op");
        synchronized (this) {
            ops.add(op);
            write(line);
        }
    }

    public void record(FaultEvent fault) {
        ObjectNode line = Json.MAPPER.valueToTree(fault);
        line.put("type", "fault");
        synchronized (this) {
            faults.add(fault);
            write(line);
        }
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized List<FaultEvent> faults() {
        return List.copyOf(faults);
    }

    private void write(ObjectNode line) {
        if (out == null) {
            return;
        }
        try {
            out.write(Json.writeString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        } finally {
            out = null;
        }
    }
}
