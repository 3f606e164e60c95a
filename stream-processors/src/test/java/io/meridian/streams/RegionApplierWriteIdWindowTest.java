package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The write-id window as a restore sees it: the changelog carries buckets of ids, and an applier that restores them
 * (a node taking the task over with no local state, a crash under exactly-once, a standby) must take every duplicate
 * decision as the applier that wrote them would have. The restored applier gets the same log prefix as unreadable
 * records, so its offsets are the writer's, and nothing of the writer's but its write ids.
 */
class RegionApplierWriteIdWindowTest {

    /** Brings {@code restored} to the writer's offset with the same fence and no data: only the restored ids count. */
    private static void sameOffsetsWithoutData(ApplierDriver restored, WalRecord fence, int dataRecords) {
        restored.pipe(fence);
        for (int i = 0; i < dataRecords; i++) {
            restored.pipeRaw(ACME, null);
        }
    }

    @Test
    void shouldAnswerARetryAsADuplicateAfterTheStoreIsRestoredFromItsChangelog() {
        try (ApplierDriver writer = new ApplierDriver(US_EAST); ApplierDriver restored = new ApplierDriver(US_EAST)) {
            WalRecord fence = fence(placement(ACME, 1, ConflictStrategy.LWW));
            writer.pipe(fence);
            ApplyOutcome first = writer.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            writer.apply(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 20, "w-2"));
            writer.apply(put(ACME, "other", "{}", 1, US_EAST, 21, "w-3"));
            List<KeyValue<byte[], byte[]>> changelog = writer.changelog(ApplierStores.WRITE_IDS);

            sameOffsetsWithoutData(restored, fence, 3);
            restored.restoreWriteIds(changelog);
            ApplyOutcome retry = restored.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));
            ApplyOutcome reused = restored.apply(put(ACME, "k2", "{\"v\":1}", 1, US_EAST, 31, "w-3"));

            assertEquals(Verdict.ACCEPTED, retry.verdict());
            assertEquals(first.position(), retry.writtenAt(), "a duplicate of the write the restored ids came from");
            assertNull(restored.doc(ACME, "k"), "not applied again");
            assertEquals(Verdict.REJECTED_ID_REUSED, reused.verdict(), "the same key for another document is refused");
        }
    }

    @Test
    void shouldRestoreTheWindowAsItWasAfterBucketsExpiredAndIdsWereRewritten() {
        try (ApplierDriver writer = new ApplierDriver(US_EAST, ApplyListener.NONE, 5);
             ApplierDriver restored = new ApplierDriver(US_EAST, ApplyListener.NONE, 5)) {
            WalRecord fence = fence(placement(ACME, 1, ConflictStrategy.LWW));
            writer.pipe(fence);
            writer.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            for (int i = 0; i < 8; i++) {
                writer.apply(put(ACME, "f" + i, "{}", 1, US_EAST, 11 + i, "filler-" + i));
            }
            // w-1 left the window: applied as a new write, remembered again at its new offset.
            ApplyOutcome again = writer.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));
            assertEquals(again.position(), again.writtenAt());
            List<KeyValue<byte[], byte[]>> changelog = writer.changelog(ApplierStores.WRITE_IDS);
            assertTrue(changelog.stream().anyMatch(kv -> kv.value == null), "expired buckets are deleted");

            sameOffsetsWithoutData(restored, fence, 10);
            restored.restoreWriteIds(changelog);

            assertEquals(again.position(),
                    restored.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 40, "w-1")).writtenAt(),
                    "the newer acceptance of w-1 answers its retry");
            ApplyOutcome oldFiller = restored.apply(put(ACME, "f0", "{}", 1, US_EAST, 41, "filler-0"));
            assertEquals(oldFiller.position(), oldFiller.writtenAt(), "out of the window after the restore too");
            ApplyOutcome recentFiller = restored.apply(put(ACME, "f7", "{}", 1, US_EAST, 42, "filler-7"));
            assertTrue(recentFiller.writtenAt().offset() < recentFiller.position().offset(),
                    "still within the window: " + recentFiller);
        }
    }

    @Test
    void shouldRememberAnIdForExactlyTheWindowCountedInOffsets() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, ApplyListener.NONE, 5)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            ApplyOutcome first = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 10, "w-1"));
            for (int i = 0; i < 4; i++) {
                applier.applyWithGeneratedId(put(ACME, "f" + i, "{}", 1, US_EAST, 11 + i, "gen-" + i));
            }

            ApplyOutcome lastInside = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 20, "w-1"));
            ApplyOutcome firstOutside = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 21, "w-1"));

            assertEquals(first.position().offset() + 5, lastInside.position().offset());
            assertEquals(first.position(), lastInside.writtenAt(), "five offsets on: still a duplicate");
            assertEquals(firstOutside.position(), firstOutside.writtenAt(), "six offsets on: a new write");
            assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
        }
    }

    @Test
    void shouldAnswerARetryOfAWriteAcceptedBeforeTheUpgradeFromTheLegacyStore() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            Position before = applier.apply(put(ACME, "other", "{}", 1, US_EAST, 10, "w-0")).position();
            // What a version before the buckets remembered when it accepted w-1 there, in its own format.
            applier.rememberLegacy(ACME, "w-1", before + "|" + legacyDigest("k", "{\"v\":1}"), before.offset());

            ApplyOutcome retry = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 20, "w-1"));
            ApplyOutcome reused = applier.apply(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 21, "w-1"));

            assertEquals(Verdict.ACCEPTED, retry.verdict());
            assertEquals(before, retry.writtenAt(), "answered with the position the older version gave it");
            assertNull(applier.doc(ACME, "k"), "not applied again");
            assertEquals(Verdict.REJECTED_ID_REUSED, reused.verdict(), "the same key for another document is refused");
        }
    }

    @Test
    void shouldApplyAWriteWhoseLegacyIdLeftTheWindow() {
        try (ApplierDriver applier = new ApplierDriver(US_EAST, ApplyListener.NONE, 5)) {
            applier.pipe(fence(placement(ACME, 1, ConflictStrategy.LWW)));
            Position before = applier.apply(put(ACME, "other", "{}", 1, US_EAST, 10, "w-0")).position();
            applier.rememberLegacy(ACME, "w-1", before + "|" + legacyDigest("k", "{\"v\":1}"), before.offset());
            for (int i = 0; i < 6; i++) {
                applier.apply(put(ACME, "f" + i, "{}", 1, US_EAST, 11 + i, "filler-" + i));
            }

            ApplyOutcome again = applier.apply(put(ACME, "k", "{\"v\":1}", 1, US_EAST, 30, "w-1"));

            assertEquals(again.position(), again.writtenAt(), "out of the window: a new write");
            assertEquals(json("{\"v\":1}"), applier.doc(ACME, "k").value());
        }
    }

    /** The digest the versions before the buckets stored with an id (16 bytes of SHA-256 of kind, key, document). */
    private static String legacyDigest(String key, String json) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("put\n" + key + "\n" + json).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
