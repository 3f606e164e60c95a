package io.meridian.router.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
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
 * SHA-256 digests of the keys, never the keys ({@link #newKey} makes a key and its line:
 * {@code meridianctl apikey create --offline}). Read again when it changes (looked at no more than once a second):
 * adding a line creates a key, deleting it revokes it, without a restart. A file that cannot be read or parsed keeps
 * the keys read last (and logs why); at start it fails the node. Keys created through the admin API live in
 * {@code meridian.api-keys} instead ({@link DataKeys} serves both). Thread-safe.
 */
public final class ApiKeys {
    static final String PREFIX = ApiKeyLine.DIGEST_PREFIX;

    /** A key's grant: the tenants it may read and write (empty set with {@code all}: every tenant), and its name. */
    public record Grant(String name, Set<String> tenants, boolean all) {
        public boolean allows(String tenant) {
            return all || tenants.contains(tenant);
        }
    }

    /** A key of the file: its digest ({@code sha256:<hex>}) and grant. */
    record Entry(byte[] digest, String digestText, Grant grant) {
    }

    /** A new key and the line of the keys file that grants it {@code tenants}. */
    public record NewKey(String key, String line) {
    }

    private final WatchedFile<List<Entry>> file;

    /** @throws IllegalArgumentException when the file cannot be read or parsed now */
    public ApiKeys(Path file, Clock clock) {
        this.file = new WatchedFile<>(file, "data.api.keys.file", ApiKeys::parse, clock);
    }

    /** The grant of {@code key}, if it is a key of the file. */
    public Optional<Grant> grant(String key) {
        return grantOf(sha256(key));
    }

    /** The grant of the key whose SHA-256 digest is {@code given}. Compares every entry: the time does not tell which. */
    Optional<Grant> grantOf(byte[] given) {
        Grant found = null;
        for (Entry entry : file.get()) {
            if (MessageDigest.isEqual(entry.digest(), given) && found == null) {
                found = entry.grant();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Every key of the file as last read, in file order. */
    List<Entry> entries() {
        return file.get();
    }

    /** A random key and its line for {@code tenants} ({@code *}: all) named {@code name}: {@link ApiKeyLine}. */
    public static NewKey newKey(List<String> tenants, String name) {
        ApiKeyLine made = ApiKeyLine.create(tenants, name);
        return new NewKey(made.key(), made.line());
    }

    private static List<Entry> parse(List<String> lines) {
        return WatchedFile.entries(lines, (words, number) -> {
            if (words.length < 2 || words.length > 3 || !words[0].startsWith(PREFIX)
                    || words[0].length() != PREFIX.length() + 64) {
                throw new IllegalArgumentException("not 'sha256:<64 hex digits> <tenant>[,<tenant>...]|* [name]'");
            }
            byte[] digest;
            try {
                digest = HexFormat.of().parseHex(words[0].substring(PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the digest is not hexadecimal", e);
            }
            boolean all = words[1].equals("*");
            Set<String> tenants = new LinkedHashSet<>();
            if (!all) {
                for (String tenant : words[1].split(",")) {
                    tenants.add(Names.requireTenant(tenant));
                }
            }
            String name = words.length == 3 ? words[2] : "line-" + number;
            return new Entry(digest, PREFIX + HexFormat.of().formatHex(digest),
                    new Grant(name, Set.copyOf(tenants), all));
        });
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
