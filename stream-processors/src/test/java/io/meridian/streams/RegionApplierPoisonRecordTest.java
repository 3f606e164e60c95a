package io.meridian.streams;

import static io.meridian.streams.WalFixtures.ACME;
import static io.meridian.streams.WalFixtures.US_EAST;
import static io.meridian.streams.WalFixtures.bytes;
import static io.meridian.streams.WalFixtures.fence;
import static io.meridian.streams.WalFixtures.json;
import static io.meridian.streams.WalFixtures.placement;
import static io.meridian.streams.WalFixtures.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.ApplyOutcome.Verdict;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A WAL record that cannot be read goes to {@code meridian.dlq} with the reason, and the applier goes on. */
class RegionApplierPoisonRecordTest {
    private static final String VALID_PUT = "{\"type\":\"put\",\"tenant\":\"acme\",\"key\":\"k\",\"value\":{\"v\":1},"
            + "\"epoch\":1,\"region\":\"us-east\",\"hlc\":5,\"writeId\":\"w\"}";

    private ApplierDriver applier;

    @BeforeEach
    void start() {
        applier = new ApplierDriver(US_EAST);
        applier.pipe(fence(placement(ACME, 1, ConflictStrategy.REJECT)));  // offset 0
    }

    @AfterEach
    void stop() {
        applier.close();
    }

    static Stream<Arguments> poison() {
        return Stream.of(
                Arguments.of("not JSON", ACME, bytes("this is not json {"), "invalid WalRecord JSON"),
                Arguments.of("empty bytes", ACME, new byte[0], "invalid WalRecord JSON"),
                Arguments.of("unknown type", ACME, bytes(VALID_PUT.replace("\"put\"", "\"upsert\"")), "upsert"),
                Arguments.of("missing field", ACME, bytes(VALID_PUT.replace(",\"writeId\":\"w\"", "")), "writeId"),
                Arguments.of("invalid field", ACME, bytes(VALID_PUT.replace("\"epoch\":1", "\"epoch\":0")),
                        "epoch must be at least 1"),
                Arguments.of("key not matching tenant", "globex", bytes(VALID_PUT),
                        "record key 'globex' is not its tenant 'acme'"),
                Arguments.of("null key", null, bytes(VALID_PUT), "record key 'null' is not its tenant 'acme'"),
                Arguments.of("null value", ACME, null, "null value"),
                Arguments.of("JSON null literal", ACME, bytes("null"), "null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poison")
    void shouldSendUnreadableRecordToDeadLetterQueueAndGoOn(String name, String key, byte[] value, String reason) {
        long timestamp = applier.pipeRaw(key, value);  // offset 1

        List<KeyValue<String, DeadLetter>> letters = applier.readDeadLetters();
        assertEquals(1, letters.size(), () -> "dead letters: " + letters);
        assertEquals(Topics.WAL.name() + "-0@1", letters.get(0).key);
        DeadLetter letter = letters.get(0).value;
        assertEquals(Topics.WAL.name(), letter.topic());
        assertEquals(0, letter.partition());
        assertEquals(1, letter.offset());
        assertEquals(US_EAST, letter.region());
        assertEquals(timestamp, letter.timestamp());
        assertTrue(letter.reason().contains(reason), () -> "reason '" + letter.reason() + "' should mention " + reason);
        assertArrayEquals(value == null ? new byte[0] : value, Base64.getDecoder().decode(letter.payloadBase64()));
        assertTrue(applier.listener.decisions.isEmpty(), "nothing to decide about an unreadable record");
        assertEquals(1L, applier.appliedOffset(0), "the applied position passes the poison record");
        assertEquals(new Position(0, 1), applier.lastApplied());

        ApplyOutcome next = applier.apply(put(ACME, "k", "{\"v\":2}", 1, US_EAST, 6, "next"));  // offset 2

        assertEquals(Verdict.ACCEPTED, next.verdict());
        assertEquals(json("{\"v\":2}"), applier.doc(ACME, "k").value());
        assertEquals(2L, applier.appliedOffset(0));
        assertTrue(applier.readDeadLetters().isEmpty(), "a good record is no dead letter");
    }

    @Test
    void shouldSendEachOfSeveralPoisonRecordsToDeadLetterQueueOnceInLogOrder() {
        applier.pipeRaw(ACME, bytes("{"));                                          // 1
        applier.apply(put(ACME, "a", "{\"v\":1}", 1, US_EAST, 1, "w1"));             // 2
        applier.pipeRaw(ACME, null);                                                // 3
        applier.pipeRaw("globex", bytes(VALID_PUT));                                // 4
        applier.apply(put(ACME, "b", "{\"v\":2}", 1, US_EAST, 2, "w2"));             // 5

        List<DeadLetter> letters = applier.readDeadLetters().stream().map(kv -> kv.value).toList();

        assertEquals(List.of(1L, 3L, 4L), letters.stream().map(DeadLetter::offset).toList());
        assertEquals(List.of(Verdict.ACCEPTED, Verdict.ACCEPTED),
                applier.listener.decisions.stream().map(ApplyOutcome::verdict).toList());
        assertEquals(List.of("a", "b"), List.copyOf(applier.documents(ACME).keySet()));
        assertEquals(5L, applier.appliedOffset(0));
    }

    @Test
    void shouldReadValidRawRecordLikeTypedOne() {
        applier.pipeRaw(ACME, bytes(VALID_PUT));

        assertEquals(Verdict.ACCEPTED, applier.listener.decisions.get(0).verdict());
        assertEquals(new StoredDocument(json("{\"v\":1}"), "0:1", 1, 5, US_EAST), applier.doc(ACME, "k"));
        assertTrue(applier.readDeadLetters().isEmpty());
    }

    @Test
    void shouldKeepADeadLetterOfAnOversizedRecordSmallWithWhereToFindTheOriginal() {
        byte[] huge = new byte[900 * 1024];
        java.util.Arrays.fill(huge, (byte) 'x');

        applier.pipeRaw(ACME, huge);  // offset 1

        DeadLetter letter = applier.readDeadLetters().get(0).value;
        assertEquals(DeadLetter.Code.UNREADABLE, letter.code());
        assertTrue(letter.truncated());
        assertEquals(huge.length, letter.payloadBytes());
        assertEquals(DeadLetter.MAX_PAYLOAD_BYTES, Base64.getDecoder().decode(letter.payloadBase64()).length);
        assertTrue(io.meridian.infra.serde.Json.write(letter).length < 128 * 1024, "fits any Kafka message limit");
        assertEquals(1L, letter.offset());
    }

    @Test
    void shouldDeadLetterADataRecordOfATenantWithoutPlacement() {
        ApplyOutcome outcome = applier.apply(put("globex", "k", "{}", 1, US_EAST, 1, "w1"));

        assertEquals(Verdict.REJECTED_UNKNOWN_TENANT, outcome.verdict());
        DeadLetter letter = applier.readDeadLetters().get(0).value;
        assertEquals(DeadLetter.Code.UNKNOWN_TENANT, letter.code());
        assertEquals(List.of(letter), applier.listener.deadLetters);
    }

    @Test
    void shouldDeadLetterARecordFromARegionThatMayNotWrite() {
        ApplyOutcome outcome = applier.apply(put(ACME, "k", "{}", 1, "ap-south", 1, "w1"));

        assertEquals(Verdict.REJECTED_NOT_WRITABLE_HERE, outcome.verdict());
        assertEquals(DeadLetter.Code.NOT_WRITABLE_HERE, applier.readDeadLetters().get(0).value.code());
    }

    @Test
    void shouldNameTheWrongPartitionWhenARecordIsNotOnItsTenantsPartition() {
        String tenant = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "t" + i)
                .filter(t -> io.meridian.infra.topics.WalPartitioner.partitionOf(t, 12) != 0).findFirst().orElseThrow();
        try (ApplierDriver twelve = new ApplierDriver(US_EAST, ApplyListener.NONE,
                RegionApplierTopology.IDEMPOTENCY_WINDOW_RECORDS, 12)) {
            ApplyOutcome outcome = twelve.apply(put(tenant, "k", "{}", 1, US_EAST, 1, "w1"));

            assertEquals(Verdict.REJECTED_UNKNOWN_TENANT, outcome.verdict());
            DeadLetter letter = twelve.readDeadLetters().get(0).value;
            assertEquals(DeadLetter.Code.WRONG_PARTITION, letter.code());
            assertTrue(letter.reason().contains("murmur2"), letter.reason());
        }
    }

    @Test
    void shouldNotDeadLetterFenceRacesWhichAreAnsweredAndRecordedAsConflicts() {
        applier.pipe(fence(placement(ACME, 2, ConflictStrategy.REJECT)));

        assertEquals(Verdict.REJECTED_STALE_EPOCH, applier.apply(put(ACME, "k", "{}", 1, US_EAST, 1, "w1")).verdict());

        assertTrue(applier.readDeadLetters().isEmpty());
        assertEquals(1, applier.readConflicts().size());
    }
}
