package io.meridian.infra.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A data API key and its line of {@code data.api.keys.file}: {@code sha256:<hex of the key> <tenants> [name]}, the
 * tenants comma-separated or {@code *} (every tenant). The node keeps only the digest; the key is shown once, to whoever
 * made it ({@code meridianctl apikey create}). Immutable.
 *
 * @param key  the key to hand to the client ({@code mk_} and 43 URL-safe base64 characters: 256 random bits)
 * @param line the line to add to the keys file of every node
 */
public record ApiKeyLine(String key, String line) {
    public static final String DIGEST_PREFIX = "sha256:";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new random key granting {@code tenants} ({@code List.of("*")}: every tenant), named {@code name} (or null). */
    public static ApiKeyLine create(List<String> tenants, String name) {
        if (tenants.isEmpty()) {
            throw new IllegalArgumentException("a key must grant at least one tenant (or '*')");
        }
        if (name != null && !name.isBlank() && name.strip().contains(" ")) {
            throw new IllegalArgumentException("a key's name is one word, got '" + name + "'");
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String key = "mk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String line = digest(key) + " " + String.join(",", tenants)
                + (name == null || name.isBlank() ? "" : " " + name.strip());
        return new ApiKeyLine(key, line);
    }

    /** {@code sha256:<hex>} of {@code key}, as the keys file holds it. */
    public static String digest(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return DIGEST_PREFIX + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
