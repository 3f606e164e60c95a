package io.meridian.streams.internal;

import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.streams.ApplierStores;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The write ids a partition accepted, for the duplicate check. The window store's "timestamps" are WAL offsets, not
 * times: an id is remembered for the next {@code windowRecords} offsets of its partition, and the store expires
 * segments by the highest offset it saw. So the decision depends on the log alone, is the same in every region and
 * after any restore, and no producer clock (a node's skew, an NTP step, one record stamped in the future) can make a
 * retry look new or expire another tenant's ids. Not thread-safe: one per task.
 */
public final class WriteIdsWindow {

    /** Opens the store of a task. */
    @FunctionalInterface
    public interface Factory {
        WriteIdsWindow open(ProcessorContext<?, ?> context);
    }

    public static Factory factory(long windowRecords) {
        return context -> new WriteIdsWindow(context.getStateStore(ApplierStores.WRITE_IDS), windowRecords);
    }

    /** An earlier accepted write with the same tenant and id: where it landed, and whether it wrote the same. */
    record Seen(Position position, boolean sameDocument) {
    }

    private final WindowStore<String, String> store;
    private final long windowRecords;
    private final MessageDigest sha256;

    private WriteIdsWindow(WindowStore<String, String> store, long windowRecords) {
        this.store = store;
        this.windowRecords = windowRecords;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The accepted write with {@code data}'s tenant and id within the window before {@code position}, or null. */
    Seen lookup(WalRecord.DataRecord data, Position position) {
        long offset = position.offset();
        try (WindowStoreIterator<String> seen = store.fetch(id(data), Math.max(0, offset - windowRecords), offset)) {
            if (!seen.hasNext()) {
                return null;
            }
            String value = seen.next().value;
            int bar = value.indexOf('|');
            Position first = Position.parse(value.substring(0, bar));
            return new Seen(first, value.substring(bar + 1).equals(digest(data)));
        }
    }

    void remember(WalRecord.DataRecord data, Position position) {
        store.put(id(data), position + "|" + digest(data), position.offset());
    }

    /** Tells {@code sink} every id of {@code tenant} remembered within the window before {@code offset}, in key order. */
    void forEachOf(String tenant, long offset, IdSink sink) {
        try (KeyValueIterator<Windowed<String>, String> it = store.fetch(tenant + "/", tenant + "0",
                Math.max(0, offset - windowRecords), offset)) {
            it.forEachRemaining(kv -> sink.accept(kv.key.key().substring(tenant.length() + 1), kv.value,
                    kv.key.window().start()));
        }
    }

    /** Remembers an id copied from another region's snapshot, at the offset it was remembered there. */
    void restore(String tenant, String writeId, String value, long offset) {
        store.put(tenant + "/" + writeId, value, offset);
    }

    /** Forgets every id of {@code tenant} (its copy here is about to be replaced by a snapshot). */
    void forget(String tenant) {
        java.util.List<Windowed<String>> keys = new java.util.ArrayList<>();
        try (KeyValueIterator<Windowed<String>, String> it = store.fetch(tenant + "/", tenant + "0", 0L,
                Long.MAX_VALUE)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(k -> store.put(k.key(), null, k.window().start()));
    }

    /** Receives remembered ids: the write id, the stored value, the offset it is remembered at. */
    @FunctionalInterface
    interface IdSink {
        void accept(String writeId, String value, long offset);
    }

    private static String id(WalRecord.DataRecord data) {
        return data.tenant() + "/" + data.writeId();
    }

    /** What the write does: its kind, key and document; the same bytes in every region, so the same digest. */
    private String digest(WalRecord.DataRecord data) {
        String what = data instanceof WalRecord.Put put ? "put\n" + data.key() + "\n" + put.value() : "delete\n" + data.key();
        byte[] hash = sha256.digest(what.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
    }
}
