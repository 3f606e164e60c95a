package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalRecordSerdeTest {
    private static final Placement PLACEMENT = new Placement("acme", "us-east", List.of("us-east", "eu-west"), 3,
            WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);

    private static WalRecord roundTrip(WalRecord record) {
        byte[] bytes = Topics.WAL.valueSerde().serializer().serialize("t", record);
        return Topics.WAL.valueSerde().deserializer().deserialize("t", bytes);
    }

    private static WalRecord read(String json) {
        return Topics.WAL.valueSerde().deserializer().deserialize("meridian.wal", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripEveryRecordType() {
        var put = new WalRecord.Put("acme", "k1", RawJson.parse("{\"a\":[1,2]}"), 3, "us-east", 42L, "w-1");
        var delete = new WalRecord.Delete("acme", "k1", 3, "us-east", 43L, "w-2");
        var fence = new WalRecord.Fence("acme", PLACEMENT, 7, "admin", 44L);
        assertEquals(put, roundTrip(put));
        assertEquals(delete, roundTrip(delete));
        assertEquals(fence, roundTrip(fence));
    }

    @Test
    void shouldReadRecordsWrittenBeforeBaseVersionsAsNamingNone() {
        WalRecord put = read("{\"type\":\"put\",\"tenant\":\"acme\",\"key\":\"k\",\"value\":1,\"epoch\":1,"
                + "\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}");
        WalRecord delete = read("{\"type\":\"delete\",\"tenant\":\"acme\",\"key\":\"k\",\"epoch\":1,"
                + "\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\",\"base\":null}");
        for (WalRecord record : List.of(put, delete)) {
            WalRecord.DataRecord data = (WalRecord.DataRecord) record;
            assertEquals(WalRecord.NO_VERSION, data.base());
            assertEquals(WalRecord.NO_VERSION, data.ifMatch());
        }
    }

    @Test
    void shouldWriteVersionsOnlyWhenNamedAndRoundTripThem() {
        var plain = new WalRecord.Put("acme", "k1", RawJson.parse("1"), 3, "us-east", 42L, "w-1");
        String json = new String(Json.write(plain), StandardCharsets.UTF_8);
        assertTrue(!json.contains("base") && !json.contains("ifMatch"), "records without versions stay as before: " + json);

        var versioned = new WalRecord.Put("acme", "k1", RawJson.parse("1"), 3, "us-east", 42L, "w-1",
                "2:17", WalRecord.ABSENT);
        var delete = new WalRecord.Delete("acme", "k1", 3, "us-east", 43L, "w-2", WalRecord.ABSENT, "0:0");
        assertEquals(versioned, roundTrip(versioned));
        assertEquals(delete, roundTrip(delete));
    }

    @Test
    void shouldRejectBaseThatIsNotAVersion() {
        SerializationException e = assertThrows(SerializationException.class, () -> read("{\"type\":\"put\","
                + "\"tenant\":\"acme\",\"key\":\"k\",\"value\":1,\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,"
                + "\"writeId\":\"w\",\"base\":\"yesterday\"}"));
        assertTrue(e.getMessage().contains("base must be a position"), e.getMessage());
    }

    @Test
    void shouldReadConflictRecordsWrittenBeforeWriteConflictsAsStaleEpoch() {
        ConflictRecord old = Json.read(("{\"tenant\":\"acme\",\"key\":\"k\",\"position\":\"0:3\",\"recordEpoch\":1,"
                + "\"fenceEpoch\":2,\"originRegion\":\"us-east\",\"observedIn\":\"eu-west\",\"strategy\":\"lww\","
                + "\"resolution\":\"applied\",\"reason\":\"r\",\"timestamp\":5}").getBytes(StandardCharsets.UTF_8),
                ConflictRecord.class);
        assertTrue(!old.isWriteConflict());
        assertEquals("", old.superseded());
        assertEquals(old, Json.read(Json.write(old), ConflictRecord.class));
        assertTrue(!new String(Json.write(old), StandardCharsets.UTF_8).contains("cause"), "written as before");

        ConflictRecord write = new ConflictRecord("acme", "k", "0:4", 1, 1, "eu-west", "us-east",
                ConflictStrategy.REJECT, ConflictRecord.Resolution.REJECTED, "r", 6, ConflictRecord.WRITE_CONFLICT,
                WalRecord.ABSENT, "0:3", "0:4");
        assertEquals(write, Json.read(Json.write(write), ConflictRecord.class));
    }

    @Test
    void shouldWriteLowerCaseWireNames() {
        String json = new String(Json.write(PLACEMENT), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"writes\":\"active\""), json);
        assertTrue(json.contains("\"strategy\":\"lww\""), json);
        assertTrue(json.contains("\"mode\":\"single-primary\""), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"upsert\",\"tenant\":\"acme\"}",
            "{\"tenant\":\"acme\",\"key\":\"k\",\"value\":1,\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}",
            "{\"type\":\"put\",\"tenant\":\"acme\",\"value\":1,\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}",
            "{\"type\":\"put\",\"tenant\":\"acme\",\"key\":\"k\",\"value\":null,\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}",
            "{\"type\":\"put\",\"tenant\":\"acme\",\"key\":\"k\",\"value\":1,\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\",\"extra\":1}",
            "{\"type\":\"delete\",\"tenant\":\"ACME!\",\"key\":\"k\",\"epoch\":1,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}",
            "{\"type\":\"delete\",\"tenant\":\"acme\",\"key\":\"k\",\"epoch\":0,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w\"}",
            "{\"type\":\"fence\",\"tenant\":\"acme\",\"controllerEpoch\":1,\"reason\":\"x\",\"hlc\":1}",
            "not json",
            "{\"type\":\"delete\"} trailing"
    })
    void shouldRejectMalformedRecordsWithAMessage(String json) {
        SerializationException e = assertThrows(SerializationException.class, () -> read(json));
        assertTrue(e.getMessage().startsWith("record of meridian.wal: invalid WalRecord JSON"), e.getMessage());
    }

    @Test
    void shouldNameTheMissingField() {
        SerializationException e = assertThrows(SerializationException.class, () -> read(
                "{\"type\":\"delete\",\"tenant\":\"acme\",\"key\":\"k\",\"epoch\":1,\"hlc\":1,\"writeId\":\"w\"}"));
        assertTrue(e.getMessage().contains("region"), e.getMessage());
    }

    @Test
    void shouldRejectPlacementWhosePrimaryIsNotAReplica() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Placement("acme", "ap-south",
                List.of("us-east"), 1, WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY));
        assertTrue(e.getMessage().contains("ap-south"));
    }

    @Test
    void shouldRejectUnknownEnumValueListingTheValidOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> ConflictStrategy.fromWire("first-wins"));
        assertEquals("'first-wins' is not a valid ConflictStrategy; expected one of: lww, merge, reject", e.getMessage());
    }

    @Test
    void shouldParsePositionsAndRejectBadOnes() {
        assertEquals(new Position(3, 1042), Position.parse("3:1042"));
        assertEquals("3:1042", new Position(3, 1042).toString());
        for (String bad : new String[] {"", "3", "3:", ":4", "a:1", "1:b", "-1:4", "1:-4"}) {
            assertThrows(IllegalArgumentException.class, () -> Position.parse(bad), bad);
        }
        assertTrue(new Position(1, 5).compareTo(new Position(1, 6)) < 0);
    }

    @Test
    void fenceMustCarryItsOwnTenantsPlacement() {
        assertInstanceOf(IllegalArgumentException.class, assertThrows(RuntimeException.class,
                () -> new WalRecord.Fence("other", PLACEMENT, 1, "admin", 1)));
    }
}
