package io.meridian.router.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small settings file (admin tokens, API keys) parsed into a value and parsed again when it changes: its
 * modification time or size, looked at no more than once a second, so that callers may ask on every request. A file
 * that cannot be read or parsed keeps the value read last (logged); at construction it throws. Thread-safe.
 *
 * @param <T> what the file's lines parse into
 */
final class WatchedFile<T> {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);
    static final long RECHECK_MILLIS = 1_000;

    private record Loaded<T>(T value, FileTime modified, long size) {
    }

    private final Path file;
    private final String setting;
    private final Function<List<String>, T> parser;
    private final Clock clock;
    private volatile Loaded<T> loaded;
    private volatile long checkedAt;

    /**
     * @param setting the setting that names the file, for messages
     * @param parser  the file's lines to the value; throws {@link IllegalArgumentException} naming the bad line
     * @throws IllegalArgumentException when the file cannot be read or parsed now
     */
    WatchedFile(Path file, String setting, Function<List<String>, T> parser, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.setting = setting;
        this.parser = parser;
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.loaded = read();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " " + file + " cannot be read: " + e.getMessage(), e);
        }
        this.checkedAt = clock.millis();
    }

    /** One line of a settings file, split into its words, to an entry; throws {@link IllegalArgumentException}. */
    @FunctionalInterface
    interface LineParser<E> {
        E parse(String[] words, int number);
    }

    /**
     * The entries of a settings file's lines, in order: blank lines and lines starting with {@code #} are skipped,
     * every other line is split into words at white space and parsed by {@code parser}; a line it refuses fails the
     * whole file with {@code line <n>: <why>}.
     */
    static <E> List<E> entries(List<String> lines, LineParser<E> parser) {
        List<E> entries = new ArrayList<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                entries.add(parser.parse(line.split("\\s+"), number));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(entries);
    }

    /** The value of the file as last read; read again first when a second passed and the file changed. */
    T get() {
        long now = clock.millis();
        if (now - checkedAt >= RECHECK_MILLIS) {
            reloadIfChanged(now);
        }
        return loaded.value();
    }

    private synchronized void reloadIfChanged(long now) {
        if (now - checkedAt < RECHECK_MILLIS) {
            return;
        }
        checkedAt = now;
        try {
            Loaded<T> current = loaded;
            if (Files.getLastModifiedTime(file).equals(current.modified()) && Files.size(file) == current.size()) {
                return;
            }
            loaded = read();
            LOG.info("{} {} read again", setting, file);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("{} {} cannot be read; what was read last stays in force: {}", setting, file, e.toString());
        }
    }

    private Loaded<T> read() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        return new Loaded<>(parser.apply(Files.readAllLines(file, StandardCharsets.UTF_8)), modified, size);
    }
}
