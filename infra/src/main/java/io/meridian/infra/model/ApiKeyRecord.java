package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.infra.api.ApiKeyLine;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A data API key created through the admin API, the value of {@code meridian.api-keys} (compacted, keyed by the key's
 * name): its SHA-256 digest (never the key), the tenants it grants, and who made it when. A tombstone under the name
 * revokes the key. Immutable.
 *
 * @param name            the key's name ({@value #NAME_SYNTAX}), unique among the keys of the topic and of
 *                        {@code data.api.keys.file}
 * @param digest          {@code sha256:<64 hex digits>} of the key ({@link ApiKeyLine#digest})
 * @param tenants         the tenant ids the key may read and write, or {@code ["*"]}: every tenant
 * @param createdAtMillis when it was created (the accepting node's clock)
 * @param createdBy       who asked, as the request said ({@code createdBy}), else the client's address
 * @param node            the node that accepted the request ({@code <region>/<node id>})
 */
public record ApiKeyRecord(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "digest", required = true) String digest,
        @JsonProperty(value = "tenants", required = true) List<String> tenants,
        @JsonProperty(value = "createdAtMillis", required = true) long createdAtMillis,
        @JsonProperty(value = "createdBy") String createdBy,
        @JsonProperty(value = "node") String node) {

    public static final String NAME_SYNTAX = "[a-z0-9][a-z0-9._-]{0,62}";
    /** The tenants list that grants every tenant. */
    public static final String ALL_TENANTS = "*";
    /** The most tenants one key may name (a key for more is a key for {@code *}, or several keys). */
    public static final int MAX_TENANTS = 1000;
    /** The longest {@code createdBy} kept. */
    public static final int MAX_CREATED_BY_LENGTH = 200;

    public ApiKeyRecord {
        requireName(name);
        requireDigest(digest);
        tenants = requireTenants(tenants);
        createdBy = Objects.requireNonNullElse(createdBy, "");
        if (createdBy.length() > MAX_CREATED_BY_LENGTH) {
            throw new IllegalArgumentException("createdBy must be at most " + MAX_CREATED_BY_LENGTH
                    + " characters, got " + createdBy.length());
        }
        node = Objects.requireNonNullElse(node, "");
    }

    /** Whether the key grants every tenant. */
    public boolean allTenants() {
        return tenants.equals(List.of(ALL_TENANTS));
    }

    /** @throws IllegalArgumentException unless {@code name} is {@value #NAME_SYNTAX} */
    public static String requireName(String name) {
        try {
            return Names.requireTenant(name);  // the same syntax as a tenant id
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid API key name '" + name + "': use 1-63 characters a-z, 0-9,"
                    + " '.', '_', '-', starting with a letter or digit");
        }
    }

    /** @throws IllegalArgumentException unless {@code digest} is {@code sha256:<64 lower-case hex digits>} */
    public static String requireDigest(String digest) {
        String prefix = ApiKeyLine.DIGEST_PREFIX;
        if (digest == null || digest.length() != prefix.length() + 64 || !digest.startsWith(prefix)
                || !digest.substring(prefix.length()).chars().allMatch(c -> (c >= '0' && c <= '9')
                || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("an API key's digest is 'sha256:<64 lower-case hex digits>', got '"
                    + digest + "'");
        }
        return digest;
    }

    /**
     * {@code tenants} as a key holds them: 1 to {@value #MAX_TENANTS} distinct tenant ids, or {@code ["*"]} alone.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static List<String> requireTenants(List<String> tenants) {
        if (tenants == null || tenants.isEmpty()) {
            throw new IllegalArgumentException("a key must grant at least one tenant (or '*': every tenant)");
        }
        if (tenants.contains(ALL_TENANTS)) {
            if (tenants.size() != 1) {
                throw new IllegalArgumentException("'*' grants every tenant: send it alone, not with " + tenants);
            }
            return List.of(ALL_TENANTS);
        }
        if (tenants.size() > MAX_TENANTS) {
            throw new IllegalArgumentException("a key grants at most " + MAX_TENANTS + " tenants, got "
                    + tenants.size() + ": use '*' or several keys");
        }
        if (new HashSet<>(tenants).size() != tenants.size()) {
            throw new IllegalArgumentException("the tenants " + tenants + " name a tenant twice");
        }
        tenants.forEach(Names::requireTenant);
        return List.copyOf(tenants);
    }
}
