package io.meridian.router.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.model.Names;

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
    static final String PREFIX = ApiKeyLine.DIGEST_PREFIX;

    /** A key's grant: the tenants it may read and write (empty set with {@code all}: every tenant), and its name. */
    public record Grant(String name, Set<String> tenants, boolean all) {
        public boolean allows(String tenant) {
            return all || tenants.contains(tenant);
        }
    }

    private record Entry(byte[] digest, Grant grant) {
    }

    /** A new key and the line of the keys file that grants it {@code tenants}. */
    public record NewKey(String key, String line) {
    }

    private final WatchedFile<List<Entry>> file;

    /** @throws IllegalArgumentException when the file cannot be read or parsed now */
    public ApiKeys(Path file, Clock clock) {
        this.file = new WatchedFile<>(file, "data.api.keys.file", ApiKeys::parse, clock);
    }

    /** The grant of {@code key}, if it is a key of the file. Compares every entry: the time does not tell which. */
    public Optional<Grant> grant(String key) {
        byte[] given = sha256(key);
        Grant found = null;
        for (Entry entry : file.get()) {
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

    private static List<Entry> parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (String raw : lines) {
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
        return List.copyOf(entries);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
