package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.Json.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static final String WITHOUT_OPTIONAL_FIELDS = "{\"tenant\":\"acme\",\"primary\":\"us-east\","
            + "\"replicas\":[\"us-east\",\"eu-west\"],\"epoch\":3,\"writes\":\"active\",\"strategy\":\"lww\","
            + "\"mode\":\"single-primary\"}";

    @Test
    void shouldReadAPlacementWrittenBeforeTheOptionalFieldsExistedWithTheirDefaults() {
        Placement placement = read(WITHOUT_OPTIONAL_FIELDS);

        assertEquals(WriteConcern.LOCAL, placement.writeConcern());
        assertNull(placement.preferredPrimary());
        assertEquals(List.of(), placement.syncing());
        assertTrue(placement.isCaughtUpIn("eu-west"));
    }

    @Test
    void shouldRoundTripTheOptionalFields() {
        Placement placement = new Placement("acme", "us-east", List.of("us-east", "eu-west", "ap-south"), 4,
                WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY, WriteConcern.MAJORITY,
                "us-east", List.of("ap-south"));

        Placement read = read(Json.writeString(placement));

        assertEquals(placement, read);
        assertFalse(read.isCaughtUpIn("ap-south"));
        assertTrue(read.isCaughtUpIn("eu-west"));
    }

    @Test
    void shouldLeaveDefaultOptionalFieldsOutOfTheJsonExceptTheWriteConcern() {
        String json = Json.writeString(read(WITHOUT_OPTIONAL_FIELDS));

        assertTrue(json.contains("\"write_concern\":\"local\""), json);
        assertFalse(json.contains("preferred_primary"), json);
        assertFalse(json.contains("syncing"), json);
    }

    @Test
    void shouldStillRefuseAPlacementWithoutARequiredField() {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> read(WITHOUT_OPTIONAL_FIELDS.replace("\"epoch\":3,", "")));
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }

    @Test
    void shouldRefuseASyncingRegionThatIsNotAReplicaOrIsThePrimary() {
        assertMessage("syncing region 'ap-south'", () -> new Placement("acme", "us-east", List.of("us-east", "eu-west"),
                1, WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY, WriteConcern.LOCAL, null,
                List.of("ap-south")));
        assertMessage("syncing region 'us-east'", () -> new Placement("acme", "us-east", List.of("us-east", "eu-west"),
                1, WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY, WriteConcern.LOCAL, null,
                List.of("us-east")));
    }

    @Test
    void shouldChangeReplicasAndSyncingWithOrWithoutAPreferredPrimary() {
        Placement plain = new Placement("acme", "us-east", List.of("us-east"), 1, WriteState.ACTIVE,
                ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY);
        Placement added = plain.withReplicas(List.of("us-east", "eu-west"), List.of("eu-west"), 2);
        assertEquals(List.of("eu-west"), added.syncing());
        assertEquals(null, added.preferredPrimary());
        Placement preferred = added.withPreferredPrimary("eu-west", 3);
        assertEquals("eu-west", preferred.withReplicas(List.of("us-east", "eu-west"), List.of(), 4).preferredPrimary());
        assertEquals(null, preferred.withReplicas(List.of("us-east"), List.of(), 4).preferredPrimary());
    }

    @Test
    void shouldRefuseAPreferredPrimaryThatIsNotAReplica() {
        assertMessage("preferred primary 'eu-west'", () -> new Placement("acme", "us-east", List.of("us-east"), 1,
                WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY, WriteConcern.LOCAL, "eu-west",
                List.of()));
    }

    @Test
    void shouldParseEveryWriteConcernAndCountTheRegionsItNeeds() {
        assertEquals(1, WriteConcern.parse("local").regionsRequired(3));
        assertEquals(2, WriteConcern.parse("regions=2").regionsRequired(3));
        assertEquals(2, WriteConcern.parse("majority").regionsRequired(3));
        assertEquals(3, WriteConcern.parse("majority").regionsRequired(4));
        assertEquals(3, WriteConcern.parse("all").regionsRequired(3));
        assertEquals(WriteConcern.LOCAL, WriteConcern.parse("regions=1"));
        assertFalse(WriteConcern.parse("regions=4").satisfiableWith(3));
        assertEquals("regions=3", WriteConcern.parse("regions=3").wireName());
    }

    @Test
    void shouldRefuseAMalformedWriteConcernSayingWhatIsAccepted() {
        for (String bad : List.of("", "some", "regions=", "regions=0", "regions=-1", "regions=x", "regions=99999")) {
            assertMessage("local, majority, all or regions=N", () -> WriteConcern.parse(bad));
        }
    }

    private static void assertMessage(String expected, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static Placement read(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), Placement.class);
    }
}
