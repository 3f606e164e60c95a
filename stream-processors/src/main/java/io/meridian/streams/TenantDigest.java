package io.meridian.streams;

import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of one tenant's copy in one region: SHA-256 over its documents in key order, each as key and stored
 * document (value, position, epoch, hlc, writing region). Two regions holding the same documents have the same digest;
 * the full sync proves a snapshot with it, and {@code GET /v1/tenants/{tenant}/digest} and the chaos checks compare
 * regions with it. Feed documents in the store's key order. Not thread-safe.
 */
public final class TenantDigest {
    /**
     * One tenant's copy in one region, digested: the figures of {@link TenantDigest} and, when asked for, each
     * document's own digest ({@link #keyDigest}) and position, by key (sorted). Immutable.
     */
    public record Snapshot(long documents, long bytes, String digest, java.util.SortedMap<String, KeyDigest> keys) {
        public Snapshot {
            keys = keys == null ? null : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(keys));
        }
    }

    /** One document's digest ({@code sha256:<hex>} of its stored JSON) and the WAL position that wrote it. */
    public record KeyDigest(String digest, String position) {
    }

    /** The digest of one stored document alone: {@code sha256:<hex>} over its stored JSON. */
    public static String keyDigest(StoredDocument document) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Json.write(document)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private final MessageDigest sha256;
    private long documents;
    private long bytes;

    public TenantDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Adds one document; returns its size as stored (bytes of its JSON). */
    public long add(String docKey, StoredDocument document) {
        byte[] stored = Json.write(document);
        sha256.update(docKey.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(stored);
        sha256.update((byte) '\n');
        documents++;
        bytes += stored.length;
        return stored.length;
    }

    public long documents() {
        return documents;
    }

    public long bytes() {
        return bytes;
    }

    /** {@code sha256:<hex>}; ends this digest. */
    public String finish() {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
