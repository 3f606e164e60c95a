package io.meridian.router.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data API's keys ({@code data.api.keys.file}), stored hashed: one key a line, {@code sha256:<hex> <tenants>}
 * where {@code <tenants>} is a comma-separated list of tenant ids or {@code *} (every tenant); an optional third
 * word names the key (for logs and rate limits); blank lines and {@code #} comments are skipped. The file holds only
 * SHA-256 digests of the keys, never the keys ({@link #newKey()} makes a key and its line:
 * {@code meridianctl apikey create}). Read again when it changes (looked at no more than once a second): adding a
 * line creates a key, deleting it revokes it, without a restart. A file that cannot be read or parsed keeps the keys
 * read last (and logs why); at start it fails the node. Thread-safe.
 */
public final class ApiKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    static final String PREFIX = ApiKeyLine.DIGEST_PREFIX;
    private static final long RECHECK_MILLIS = 1_000;

    /** A key's grant: the tenants it may read and write (empty set with {@code all}: every tenant), and its name. */
    public record Grant(String name, Set<String> tenants, boolean all) {
        public boolean allows(String tenant) {
            return all || tenants.contains(tenant);
        }
    }

    private record Entry(byte[] digest, Grant grant) {
    }

    private record Loaded(List<Entry> entries, FileTime modified, long size) {
    }

    /** A new key and the line of the keys file that grants it {@code tenants}. */
    public record NewKey(String key, String line) {
    }

    private final Path file;
    private final Clock clock;
    private volatile Loaded loaded;
    private volatile long checkedAt;

    public ApiKeys(Path file, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            this.loaded = read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("data.api.keys.file " + file + " cannot be read: " + e.getMessage(), e);
        }
        this.checkedAt = clock.millis();
    }

    /** The grant of {@code key}, if it is a key of the file. Compares every entry: the time does not tell which. */
    public Optional<Grant> grant(String key) {
        long now = clock.millis();
        if (now - checkedAt >= RECHECK_MILLIS) {
            reloadIfChanged(now);
        }
        byte[] given = sha256(key);
        Grant found = null;
        for (Entry entry : loaded.entries()) {
            if (MessageDigest.isEqual(entry.digest(), given) && found == null) {
                found = entry.grant();
            }
        }
        return Optional.ofNullable(found);
    }

    /** A random key and its line for {@code tenants} ({@code *}: all) named {@code name}: {@link ApiKeyLine}. */
    public static NewKey newKey(List<String> tenants, String name) {
        ApiKeyLine made = ApiKeyLine.create(tenants, name);
        return new NewKey(made.key(), made.line());
    }

    private synchronized void reloadIfChanged(long now) {
        if (now - checkedAt < RECHECK_MILLIS) {
            return;
        }
        checkedAt = now;
        try {
            if (Files.getLastModifiedTime(file).equals(loaded.modified()) && Files.size(file) == loaded.size()) {
                return;
            }
            loaded = read(file);
            LOG.info("data API keys read again from {}: {} keys", file, loaded.entries().size());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("data.api.keys.file {} cannot be read; the keys read last stay in force: {}", file, e.toString());
        }
    }

    static Loaded read(Path file) throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2 || parts.length > 3 || !parts[0].startsWith(PREFIX)
                    || parts[0].length() != PREFIX.length() + 64) {
                throw new IllegalArgumentException("line " + number + " is not 'sha256:<64 hex digits> <tenant>[,"
                        + "<tenant>...]|* [name]'");
            }
            byte[] digest;
            try {
                digest = HexFormat.of().parseHex(parts[0].substring(PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + ": the digest is not hexadecimal", e);
            }
            boolean all = parts[1].equals("*");
            Set<String> tenants = new LinkedHashSet<>();
            if (!all) {
                for (String tenant : parts[1].split(",")) {
                    try {
                        tenants.add(Names.requireTenant(tenant));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("line " + number + ": " + e.getMessage(), e);
                    }
                }
            }
            String name = parts.length == 3 ? parts[2] : "line-" + number;
            entries.add(new Entry(digest, new Grant(name, Set.copyOf(tenants), all)));
        }
        return new Loaded(List.copyOf(entries), modified, size);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
