package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.EU_WEST;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.delete;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.SyncRecord;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Full sync under the topology driver: us-east holds acme alone, then eu-west is added as syncing. us-east's applier
 * sends its copy as of that fence to {@code meridian.sync}; eu-west merges it and decides the records after the fence
 * once it is in, ending with exactly us-east's documents, whatever arrives first.
 */
class TenantSyncTopologyTest {

    private static Placement alone(long epoch) {
        return new Placement(ACME, US_EAST, List.of(US_EAST), epoch, WriteState.ACTIVE, ConflictStrategy.LWW,
                ReplicationMode.SINGLE_PRIMARY);
    }

    private static Placement withEuWest(long epoch, List<String> syncing) {
        return new Placement(ACME, US_EAST, List.of(US_EAST, EU_WEST), epoch, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY, WriteConcern.LOCAL, null, syncing);
    }

    private static List<WalRecord> before() {
        List<WalRecord> log = new ArrayList<>();
        log.add(fence(alone(1)));
        for (int i = 0; i < 2_500; i++) {
            log.add(put(ACME, "k" + i, "{\"v\":" + i + "}", 1, US_EAST, 10 + i, "w" + i));
        }
        log.add(delete(ACME, "k2", 1, US_EAST, 5_000, "d2"));
        log.add(put(ACME, "keyed", "{\"v\":\"first\"}", 1, US_EAST, 5_001, "client-key-1"));
        return log;
    }

    private static List<WalRecord> after() {
        return List.of(
                put(ACME, "k1", "{\"v\":\"after\"}", 2, US_EAST, 6_000, "a1"),
                delete(ACME, "k3", 2, US_EAST, 6_001, "a2"),
                put(ACME, "new", "{\"v\":\"new\"}", 2, US_EAST, 6_002, "a3"),
                // raced the fence (old epoch): lww against the stored k4, which eu-west only has from the snapshot
                put(ACME, "k4", "{\"v\":\"raced\"}", 1, US_EAST, 6_003, "a4"),
                put(ACME, "k5", "{\"v\":\"stale\"}", 1, US_EAST, 1, "a5"),
                // a client's retry of a write acknowledged before the sync: a duplicate everywhere
                put(ACME, "keyed", "{\"v\":\"first\"}", 2, US_EAST, 6_004, "client-key-1"),
                put(ACME, "keyed", "{\"v\":\"second\"}", 2, US_EAST, 6_005, "a6"));
    }

    private static List<SyncRecord> sourceSide(ApplierDriver source) {
        before().forEach(source::pipe);
        source.pipe(fence(withEuWest(2, List.of(EU_WEST))));
        List<SyncRecord> snapshot = source.readSync();
        after().forEach(source::pipe);
        return snapshot;
    }

    @Test
    void shouldCopyTheSourcesStateAtTheFenceAndThenApplyTheLogAfterIt() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<SyncRecord> snapshot = sourceSide(source);
            assertTrue(snapshot.size() >= 3, "2,501 documents come in chunks: " + snapshot.size());
            SyncRecord end = snapshot.get(snapshot.size() - 1);
            assertTrue(end.isEnd());
            assertEquals(2_500, end.totalDocs());
            assertEquals(List.of(EU_WEST), end.targets());

            before().forEach(target::pipe);
            target.pipe(fence(withEuWest(2, List.of(EU_WEST))));
            int decidedBefore = target.listener.decisions.size();
            after().forEach(target::pipe);
            assertEquals(decidedBefore, target.listener.decisions.size(), "records after the fence are held");
            snapshot.forEach(target::pipeSync);

            assertEquals(source.documents(ACME), target.documents(ACME), "eu-west holds exactly us-east's copy");
            assertEquals(source.scannedDigest(ACME).value(), target.keptDigest(ACME).value(),
                    "the digest eu-west kept through the merge and the held records is the copy's");
            assertEquals(source.keptDigest(ACME).value(), target.keptDigest(ACME).value());
            SyncStatus last = target.listener.syncs.get(target.listener.syncs.size() - 1);
            assertEquals(SyncStatus.CAUGHT_UP, last.state());
            assertEquals(end.digest(), last.digest(), "the merged copy's digest is the source's at the fence");
            assertEquals(2_500, last.documentsCopied());
            List<Verdict> verdicts = target.listener.decisions.subList(decidedBefore,
                    target.listener.decisions.size()).stream().map(ApplyOutcome::verdict).toList();
            List<Verdict> sourceVerdicts = source.listener.decisions.subList(decidedBefore,
                    source.listener.decisions.size()).stream().map(ApplyOutcome::verdict).toList();
            assertEquals(sourceVerdicts, verdicts, "held records are decided as the source decided them");
            assertEquals("{\"v\":\"second\"}", target.doc(ACME, "keyed").value().toString());
        }
    }

    @Test
    void shouldLogTheWriteIdsOfASnapshotInAFewChangelogRecordsAndAnswerTheirRetriesAsDuplicates() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<SyncRecord> snapshot = sourceSide(source);
            int ids = snapshot.stream().mapToInt(r -> r.ids().size()).sum();
            assertTrue(ids > 2_500, "every client id of the tenant travels with the snapshot: " + ids);
            before().forEach(target::pipe);
            target.pipe(fence(withEuWest(2, List.of(EU_WEST))));
            after().forEach(target::pipe);
            target.changelog(ApplierStores.WRITE_IDS);

            snapshot.forEach(target::pipeSync);

            // One bucket per commit (the driver commits after each snapshot record), up to 64 ids each (and more:
            // WriteIdsWindow.BUCKET_ENTRIES); it was a record per id.
            int records = target.changelogRecords(ApplierStores.WRITE_IDS);
            assertTrue(records <= ids / 64 + snapshot.size() + 1, records + " changelog records for " + ids + " ids");
            WalRecord.DataRecord retry = put(ACME, "k7", "{\"v\":7}", 2, US_EAST, 7_000, "w7");
            ApplyOutcome atSource = source.apply(retry);
            ApplyOutcome atTarget = target.apply(retry);
            assertTrue(atTarget.writtenAt().offset() < atTarget.position().offset(), "a duplicate: " + atTarget);
            assertEquals(atSource.writtenAt(), atTarget.writtenAt(), "decided as the source decided it");
            assertEquals(source.documents(ACME), target.documents(ACME));
        }
    }

    @Test
    void shouldHoldSnapshotThatArrivesBeforeTheRegionReachedTheFence() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<SyncRecord> snapshot = sourceSide(source);

            List<WalRecord> log = before();
            target.pipe(log.get(0));
            target.pipe(log.get(1));
            snapshot.forEach(target::pipeSync);  // eu-west lags: the snapshot is there first
            assertEquals(SyncStatus.WAITING_FOR_FENCE,
                    target.listener.syncs.get(target.listener.syncs.size() - 1).state());
            assertTrue(target.documents(ACME).isEmpty(), "held, not materialized");
            log.subList(2, log.size()).forEach(target::pipe);
            target.pipe(fence(withEuWest(2, List.of(EU_WEST))));
            assertEquals(SyncStatus.CAUGHT_UP, target.listener.syncs.get(target.listener.syncs.size() - 1).state());
            after().forEach(target::pipe);

            assertEquals(source.documents(ACME), target.documents(ACME));
        }
    }

    @Test
    void shouldEndTheSyncWhenTheControllerClearsSyncingAndDropTheCopyWhenTheRegionIsRemoved() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<SyncRecord> snapshot = sourceSide(source);
            before().forEach(target::pipe);
            target.pipe(fence(withEuWest(2, List.of(EU_WEST))));
            snapshot.forEach(target::pipeSync);
            target.pipe(fence(withEuWest(3, List.of())));
            assertEquals(SyncStatus.ENDED, target.listener.syncs.get(target.listener.syncs.size() - 1).state());
            assertEquals(2_500, target.documents(ACME).size());

            target.pipe(fence(alone(4)));
            assertTrue(target.documents(ACME).isEmpty(), "a region removed from the replicas drops its copy");
        }
    }

    @Test
    void shouldCancelASyncInProgressWhenTheRegionIsRemoved() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<SyncRecord> snapshot = sourceSide(source);
            before().forEach(target::pipe);
            target.pipe(fence(withEuWest(2, List.of(EU_WEST))));
            target.pipeSync(snapshot.get(0));
            target.pipe(fence(alone(3)));
            snapshot.subList(1, snapshot.size()).forEach(target::pipeSync);

            assertEquals(SyncStatus.ENDED, target.listener.syncs.get(target.listener.syncs.size() - 1).state());
            assertTrue(target.documents(ACME).isEmpty(), "the rest of a cancelled snapshot is ignored");
        }
    }

    @Test
    void shouldReseedARegionWhoseCopyHasAGapFromASnapshotOfThePrimary() {
        try (ApplierDriver source = new ApplierDriver(US_EAST); ApplierDriver target = new ApplierDriver(EU_WEST)) {
            List<WalRecord> log = new ArrayList<>();
            log.add(fence(withEuWest(1, List.of())));
            for (int i = 0; i < 50; i++) {
                log.add(put(ACME, "k" + i, "{\"v\":" + i + "}", 1, US_EAST, 10 + i, "w" + i));
            }
            log.forEach(source::pipe);
            // eu-west lost 20 records (retention deleted them before it applied them); offsets stay those of the log
            target.pipe(log.get(0));
            log.subList(1, 11).forEach(target::pipe);
            for (int i = 11; i < 31; i++) {
                target.pipeRaw(ACME, null);
            }
            log.subList(31, log.size()).forEach(target::pipe);
            assertEquals(30, target.documents(ACME).size());

            WalRecord reseed = fence(withEuWest(2, List.of(EU_WEST)));
            source.pipe(reseed);
            target.pipe(reseed);
            source.readSync().forEach(target::pipeSync);

            assertEquals(source.documents(ACME), target.documents(ACME), "the copy is whole again");
            assertEquals(SyncStatus.CAUGHT_UP, target.listener.syncs.get(target.listener.syncs.size() - 1).state());
        }
    }
}
