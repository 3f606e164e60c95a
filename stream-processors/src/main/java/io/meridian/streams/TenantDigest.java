package io.meridian.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of one tenant's copy in one region: the sum, modulo 2<sup>256</sup>, of SHA-256 over each document's key
 * and {@linkplain StoredDocument#toStored stored form} (value, position, epoch, hlc, writing region), with the number
 * of documents and their bytes. It takes the stored bytes as they are, so keeping it costs no JSON work. Two
 * regions holding the same documents have the same digest. A sum does not depend on the order documents are added in,
 * and a document can be taken out again, so the applier keeps each tenant's digest as its documents change
 * ({@code internal.TenantDocuments}) instead of scanning them at every check; a scan gives the same value. The full
 * sync proves a snapshot with it, and {@code GET /v1/tenants/{tenant}/digest}, {@code meridianctl verify} and the chaos
 * checks compare regions with it. Not thread-safe.
 */
public final class TenantDigest {
    /** What a digest's text starts with; versions before the sum printed {@code sha256:} over documents in order. */
    public static final String PREFIX = "sum256:";
    private static final int SUM_BYTES = 32;
    /** documents (8 bytes), bytes (8), sum (32): the form {@link #toBytes} writes. */
    private static final int ENCODED_BYTES = 16 + SUM_BYTES;

    /** One per thread: a digest is made per change of a document, and {@link MessageDigest#getInstance} is not free. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

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

    /** The digest of one stored document alone: {@code sha256:<hex>} over its stored form. */
    public static String keyDigest(byte[] stored) {
        return "sha256:" + HexFormat.of().formatHex(SHA256.get().digest(stored));
    }

    /** Big-endian, so the text reads as the number it is. */
    private final byte[] sum = new byte[SUM_BYTES];
    private long documents;
    private long bytes;

    /** Adds one document by its store key (tenant + "/" + key) and {@linkplain StoredDocument#toStored stored form}. */
    public void add(String docKey, byte[] stored) {
        addTo(sum, hash(docKey, stored), false);
        documents++;
        bytes += stored.length;
    }

    /** Takes out a document {@link #add added} before, exactly as it was added. */
    public void remove(String docKey, byte[] stored) {
        addTo(sum, hash(docKey, stored), true);
        documents--;
        bytes -= stored.length;
    }

    public long documents() {
        return documents;
    }

    public long bytes() {
        return bytes;
    }

    /** {@code sum256:<hex>}; the digest may go on changing after. */
    public String value() {
        return PREFIX + HexFormat.of().formatHex(sum);
    }

    public Snapshot snapshot() {
        return new Snapshot(documents, bytes, value(), null);
    }

    /** The form a store keeps; {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(ENCODED_BYTES).putLong(documents).putLong(bytes).put(sum).array();
    }

    public static TenantDigest fromBytes(byte[] encoded) {
        if (encoded.length != ENCODED_BYTES) {
            throw new IllegalArgumentException("a tenant digest is " + ENCODED_BYTES + " bytes, got "
                    + encoded.length);
        }
        ByteBuffer buffer = ByteBuffer.wrap(encoded);
        TenantDigest digest = new TenantDigest();
        digest.documents = buffer.getLong();
        digest.bytes = buffer.getLong();
        buffer.get(digest.sum);
        return digest;
    }

    private static byte[] hash(String docKey, byte[] stored) {
        MessageDigest sha256 = SHA256.get();
        sha256.update(docKey.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        return sha256.digest(stored);
    }

    /** {@code sum += term} (or {@code -= term}) modulo 2<sup>256</sup>, both big-endian. */
    private static void addTo(byte[] sum, byte[] term, boolean subtract) {
        int carry = subtract ? 1 : 0;  // a - b = a + ~b + 1
        for (int i = SUM_BYTES - 1; i >= 0; i--) {
            int t = (subtract ? ~term[i] : term[i]) & 0xff;
            int s = (sum[i] & 0xff) + t + carry;
            sum[i] = (byte) s;
            carry = s >>> 8;
        }
    }
}
