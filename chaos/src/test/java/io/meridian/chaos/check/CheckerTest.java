package io.meridian.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.chaos.history.Op;
import java.lang.reflect.Constructor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class CheckerTest {

    private static Op write(String key, String writeId, String outcome, String position, long end) {
        return new Op(1, "write", "t", key, writeId, writeId, end - 5, end, outcome, Op.OK.equals(outcome) ? 201 : 503,
                "", position, "", "us-east", 1, "");
    }

    private static Op read(String key, String value, int status, String position, String token) {
        return new Op(2, "read", "t", key, "", value, 0, 1, Op.OK, status, "", position, token, "eu-west", 1, "");
    }

    private static Op ingest(String key, String requestId, String outcome, String position, String detail) {
        return new Op(3, "ingest", "t", key, requestId, requestId, 0, 10, outcome, Op.OK.equals(outcome) ? 201 : -1,
                "", position, "", "us-east", 1, detail);
    }

    private static Op outcome(String requestId, boolean accepted, String position) {
        return new Op(4, "ingest-outcome", "t", "k", requestId, accepted ? "accepted" : "rejected", 5, 5,
                accepted ? Op.OK : Op.FAIL, accepted ? 201 : 503, accepted ? "" : "writes_paused", position, "",
                "us-east", 1, "us-east-1 meridian.ingest-3@7");
    }

    private static FinalReads reads(Map<String, FinalReads.Doc> byRegion) throws Exception {
        Constructor<FinalReads> constructor = FinalReads.class.getDeclaredConstructor();
        constructor.setAccessible(true);
        FinalReads reads = constructor.newInstance();
        var field = FinalReads.class.getDeclaredField("docs");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, FinalReads.Doc>> docs = (Map<String, Map<String, FinalReads.Doc>>) field.get(reads);
        docs.put(FinalReads.id("t", "k"), new ConcurrentHashMap<>(byRegion));
        return reads;
    }

    @Test
    void shouldCountAMissingAcknowledgedWriteAsLost() throws Exception {
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100)));
        long[] result = checker.lostAndOverwritten(reads(Map.of(
                "us-east", new FinalReads.Doc(200, "a", "3:10", ""),
                "eu-west", new FinalReads.Doc(404, "", "", "document_not_found"))));
        assertEquals(1, result[0]);
        assertEquals(0, result[1]);
    }

    @Test
    void shouldAcceptALaterIndeterminateWriteButNotAnOlderOne() throws Exception {
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100), write("k", "b", Op.OK, "3:12", 200),
                write("k", "c", Op.INFO, "", 300)));
        long[] result = checker.lostAndOverwritten(reads(Map.of(
                "us-east", new FinalReads.Doc(200, "c", "3:15", ""),
                "eu-west", new FinalReads.Doc(200, "a", "3:10", ""))));
        assertEquals(0, result[0]);
        assertEquals(1, result[1]);
    }

    @Test
    void shouldCountAValueNoWriteCarriedAsLost() throws Exception {
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100)));
        long[] result = checker.lostAndOverwritten(reads(Map.of("us-east", new FinalReads.Doc(200, "zzz", "3:11", ""))));
        assertEquals(1, result[0]);
    }

    @Test
    void shouldCountAnIdempotencyKeyAppliedAtTwoOfItsWalRecordsAsDuplicate() throws Exception {
        Map<String, List<String>> wal = Map.of("t/a", List.of("3:10", "3:14"));
        Map<String, String> at = Map.of("3:10", "t/a", "3:14", "t/a");
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100), read("k", "a", 200, "3:14", "")));
        assertEquals(1, checker.duplicates(reads(Map.of("us-east", new FinalReads.Doc(200, "a", "3:10", ""))),
                wal, at)[0]);
    }

    @Test
    void shouldNotCountRetriesThatLeftRecordsButTookEffectOnce() throws Exception {
        // Three records of one key in the log (two retries); the first was rejected (a fence), the second accepted,
        // the third answered as a duplicate with the second's position: only 3:12 is ever seen.
        Map<String, List<String>> wal = Map.of("t/a", List.of("3:10", "3:12", "3:15"));
        Map<String, String> at = Map.of("3:10", "t/a", "3:12", "t/a", "3:15", "t/a");
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:12", 100), read("k", "a", 200, "3:12", "")));
        long[] found = checker.duplicates(reads(Map.of("us-east", new FinalReads.Doc(200, "a", "3:12", ""),
                "eu-west", new FinalReads.Doc(200, "a", "3:12", ""))), wal, at);
        assertEquals(0, found[0]);
        assertEquals(0, found[1]);
    }

    @Test
    void shouldCountADocumentAtAPositionWhereTheWalHoldsAnotherWrite() throws Exception {
        Map<String, List<String>> wal = Map.of("t/a", List.of("3:10"), "t/b", List.of("3:11"));
        Map<String, String> at = Map.of("3:10", "t/a", "3:11", "t/b");
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100)));
        long[] found = checker.duplicates(reads(Map.of("us-east", new FinalReads.Doc(200, "a", "3:11", ""))), wal, at);
        assertEquals(0, found[0]);
        assertEquals(1, found[1]);
    }

    @Test
    void shouldCountReadsOlderThanTheirTokenAsStale() {
        Checker checker = new Checker(List.of(read("k", "a", 200, "3:9", "3:10"), read("k", "", 404, "", "3:10"),
                read("k", "b", 200, "3:11", "3:10"), read("k", "", 503, "", "3:10")));
        assertEquals(2, checker.staleReads());
    }

    @Test
    void shouldCountDifferentDocumentsAcrossRegionsAsDivergence() throws Exception {
        Checker checker = new Checker(List.of(write("k", "a", Op.OK, "3:10", 100)));
        assertEquals(1, checker.divergentTenants(reads(Map.of(
                "us-east", new FinalReads.Doc(200, "a", "3:10", ""),
                "eu-west", new FinalReads.Doc(200, "a", "3:12", "")))));
    }

    @Test
    void shouldFlagTwoLeadersInOneEpochAndAnEpochGoingBack() {
        Checker checker = new Checker(List.of());
        assertEquals(1, checker.controllerConflicts(List.of(
                new LogScan.Stamped("meridian.controller", 0, 1, 4, "leadership", "us-east-1"),
                new LogScan.Stamped("meridian.controller", 0, 2, 4, "leadership", "eu-west-1"))));
        assertEquals(1, checker.controllerConflicts(List.of(
                new LogScan.Stamped("meridian.wal", 3, 10, 5, "fence", ""),
                new LogScan.Stamped("meridian.wal", 3, 11, 4, "fence", ""))));
        assertEquals(0, checker.controllerConflicts(List.of(
                new LogScan.Stamped("meridian.wal", 3, 10, 4, "fence", ""),
                new LogScan.Stamped("meridian.wal", 4, 2, 3, "fence", ""),
                new LogScan.Stamped("meridian.wal", 3, 11, 5, "fence", ""))));
    }

    @Test
    void shouldMeasureTheLongestGapWithoutAnAcknowledgement() {
        List<Op> ops = List.of(write("k", "a", Op.OK, "3:1", 1_000), write("k", "b", Op.OK, "3:2", 1_500),
                write("k", "c", Op.OK, "3:3", 9_500));
        assertEquals(8_000, Availability.worstTenantGap(ops, List.of("t"), 0, 10_000));
        assertEquals(10_000, Availability.worstTenantGap(ops, List.of("t", "other"), 0, 10_000));
    }

    @Test
    void shouldJudgeAcceptedIngestRequestsAsAcknowledgedWrites() throws Exception {
        Checker checker = new Checker(List.of(ingest("k", "g1", Op.OK, "3:10", "1 outcome(s)")));
        assertEquals(1, checker.lostAndOverwritten(reads(Map.of("us-east", new FinalReads.Doc(404, "", "", ""))))[0],
                "an accepted request missing is lost");
        assertEquals(0, checker.lostAndOverwritten(reads(Map.of("us-east",
                new FinalReads.Doc(200, "g1", "3:10", ""))))[0]);
        long[] twice = checker.duplicates(reads(Map.of("us-east", new FinalReads.Doc(200, "g1", "3:14", ""))),
                Map.of("t/g1", List.of("3:10", "3:14")), Map.of("3:10", "t/g1", "3:14", "t/g1"));
        assertEquals(1, twice[0], "accepted at 3:10, the document shows 3:14: applied twice");
    }

    @Test
    void shouldCountIngestRequestsWithoutOutcomeAndAcceptedAtTwoPositions() {
        Checker checker = new Checker(List.of(
                ingest("k1", "g1", Op.INFO, "", "0 outcome(s)"),
                ingest("k2", "g2", Op.INFO, "", "not produced: TimeoutException"),
                ingest("k3", "g3", Op.OK, "3:10", "3 outcome(s)"),
                outcome("g3", false, ""), outcome("g3", true, "3:10"), outcome("g3", true, "3:10"),
                ingest("k4", "g4", Op.OK, "3:11", "2 outcome(s)"),
                outcome("g4", true, "3:11"), outcome("g4", true, "3:15")));
        assertEquals(4, checker.ingestRequests());
        assertEquals(1, checker.ingestWithoutOutcome(), "a request Kafka never acknowledged is owed nothing");
        assertEquals(1, checker.ingestPositionConflicts(), "g3's outcomes agree, g4's do not");
    }
}
