package io.meridian.streams.internal;

import io.meridian.streams.ApplierStores;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.TenantDigest;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's documents ({@link ApplierStores#DOCS}), with the {@link TenantDigest} of each tenant kept as they change
 * ({@link ApplierStores#DIGESTS}), so that a consistency check reads one entry instead of scanning the tenant. Every
 * change of a document goes through here. The store holds each document's {@linkplain StoredDocument#toStored stored
 * form}, which is what the digest takes, so a change serializes the new document once and parses nothing (reading the
 * previous document, serializing it back for the digest and serializing the new one twice was two fifths of the
 * applier's time: bench --only apply, JFR).
 *
 * <p>The digests' store is in memory and not logged: it costs no Kafka record per write, and it starts empty whenever
 * the task is (re)created, which is also the only time the documents can change without this class (a restore from
 * the changelog). So a tenant's digest, when present, is exact; a tenant without one is digested by a scan the first
 * time one of its documents changes (or is asked for, without being kept). Used by the task's stream thread only.
 */
public final class TenantDocuments {
    private final KeyValueStore<String, byte[]> docs;
    private final KeyValueStore<String, byte[]> digests;

    public TenantDocuments(KeyValueStore<String, byte[]> docs, KeyValueStore<String, byte[]> digests) {
        this.docs = docs;
        this.digests = digests;
    }

    public StoredDocument get(String tenant, String key) {
        byte[] stored = docs.get(ApplierStores.docKey(tenant, key));
        return stored == null ? null : StoredDocument.fromStored(stored);
    }

    public void put(String tenant, String key, StoredDocument document) {
        putStored(tenant, key, document.toStored());
    }

    /** Puts a document already in its {@linkplain StoredDocument#toStored stored form} (a snapshot's, checked). */
    void putStored(String tenant, String key, byte[] stored) {
        change(tenant, key, stored);
    }

    public void delete(String tenant, String key) {
        change(tenant, key, null);
    }

    /** Removes every document of the tenant; returns how many. */
    public int drop(String tenant) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = scan(tenant)) {
            it.forEachRemaining((KeyValue<String, byte[]> kv) -> keys.add(kv.key));
        }
        keys.forEach(docs::delete);
        digests.delete(tenant);  // a scan finds nothing now: no need to keep an entry for it
        return keys.size();
    }

    /** The tenant's documents' stored forms by store key (tenant + "/" + key), in key order; close it. */
    public KeyValueIterator<String, byte[]> scan(String tenant) {
        return docs.prefixScan(tenant + "/", new StringSerializer());
    }

    /** The tenant's digest: the one kept, or a scan's (then kept). */
    public TenantDigest digest(String tenant) {
        byte[] kept = digests.get(tenant);
        if (kept != null) {
            return TenantDigest.fromBytes(kept);
        }
        TenantDigest digest = scanDigest(tenant);
        digests.put(tenant, digest.toBytes());
        return digest;
    }

    /** {@code next} is the new stored form, null to delete. */
    private void change(String tenant, String key, byte[] next) {
        TenantDigest digest = digest(tenant);
        String docKey = ApplierStores.docKey(tenant, key);
        byte[] previous = docs.get(docKey);
        if (previous != null) {
            digest.remove(docKey, previous);
        }
        if (next == null) {
            docs.delete(docKey);
        } else {
            digest.add(docKey, next);
            docs.put(docKey, next);
        }
        digests.put(tenant, digest.toBytes());
    }

    private TenantDigest scanDigest(String tenant) {
        return scanDigest(scan(tenant));
    }

    /** The digest of the stored documents {@code it} yields; closes it. */
    public static TenantDigest scanDigest(KeyValueIterator<String, byte[]> it) {
        TenantDigest digest = new TenantDigest();
        try (it) {
            it.forEachRemaining(kv -> digest.add(kv.key, kv.value));
        }
        return digest;
    }
}
