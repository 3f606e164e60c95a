package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementRequestTest {
    private static final Set<String> REGIONS = new LinkedHashSet<>(List.of("us-east", "eu-west", "ap-south"));

    private static PlacementRequest parse(String json) {
        return PlacementRequest.parse(json.getBytes(StandardCharsets.UTF_8), REGIONS);
    }

    private static ApiException rejected(String json) {
        return assertThrows(ApiException.class, () -> parse(json));
    }

    @Test
    void shouldApplyDefaults() {
        PlacementRequest request = parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        assertEquals(new PlacementRequest("us-east", List.of("us-east", "eu-west"), ConflictStrategy.REJECT,
                ReplicationMode.SINGLE_PRIMARY), request);
    }

    @Test
    void shouldReadStrategyAndMode() {
        PlacementRequest request = parse("{\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"],\"strategy\":\"merge\","
                + "\"mode\":\"multi-primary\"}");
        assertEquals(ConflictStrategy.MERGE, request.strategy());
        assertEquals(ReplicationMode.MULTI_PRIMARY, request.mode());
    }

    @Test
    void shouldRejectWhatIsNotAValidPlacement() {
        assertEquals(ErrorCode.MALFORMED_JSON, rejected("{").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("[]").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"replicas\":[\"us-east\"]}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"primary\":\"us-east\"}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"primary\":\"us-east\",\"replicas\":[]}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"primary\":1,\"replicas\":[\"us-east\"]}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"primary\":\"us-east\",\"replicas\":[1]}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT,
                rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"us-east\"]}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT,
                rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"mode\":\"both\"}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT,
                rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"strategy\":null}").code());
    }

    @Test
    void shouldReadAPreferredPrimaryAndCarryItIntoThePlacement() {
        PlacementRequest request = parse("{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"preferred_primary\":\"us-east\"}");
        assertEquals("us-east", request.preferredPrimary());
        Placement created = request.toPlacement("acme", null);
        assertEquals("us-east", created.preferredPrimary());
        assertTrue(request.isSatisfiedBy(created));
        Placement without = created.withPreferredPrimary(null, created.epoch());
        assertFalse(request.isSatisfiedBy(without), "a new preferred primary is a change");
        assertEquals("us-east", request.toPlacement("acme", without).preferredPrimary());
        // Absent or null: none; a PUT replaces the placement, so it clears an earlier one.
        PlacementRequest none = parse("{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"preferred_primary\":null}");
        assertEquals(null, none.preferredPrimary());
        assertEquals(null, none.toPlacement("acme", created).preferredPrimary());
        assertFalse(none.isSatisfiedBy(created));
    }

    @Test
    void shouldRejectAPreferredPrimaryThatIsNotAReplica() {
        ApiException notReplica = rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"preferred_primary\":\"ap-south\"}");
        assertEquals(ErrorCode.INVALID_PREFERRED_PRIMARY, notReplica.code());
        assertEquals(400, notReplica.status());
        assertTrue(notReplica.getMessage().contains("ap-south"), notReplica.getMessage());
        assertEquals(ErrorCode.UNKNOWN_REGION, rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],"
                + "\"preferred_primary\":\"mars-1\"}").code());
        assertEquals(ErrorCode.INVALID_PLACEMENT, rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],"
                + "\"preferred_primary\":3}").code());
    }

    @Test
    void shouldRejectUnknownFieldsNamingTheValidOnes() {
        ApiException e = rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"writes\":\"paused\"}");
        assertEquals(ErrorCode.INVALID_PLACEMENT, e.code());
        assertTrue(e.getMessage().contains("'writes'") && e.getMessage().contains("strategy"), e.getMessage());
    }

    @Test
    void shouldRequireThePrimaryAmongTheReplicas() {
        ApiException e = rejected("{\"primary\":\"us-east\",\"replicas\":[\"eu-west\"]}");
        assertEquals(ErrorCode.INVALID_PLACEMENT, e.code());
        assertTrue(e.getMessage().contains("us-east"), e.getMessage());
    }

    @Test
    void shouldNameAnUnknownRegionAndListTheValidOnes() {
        ApiException e = rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"mars-1\"]}");
        assertEquals(ErrorCode.UNKNOWN_REGION, e.code());
        assertTrue(e.getMessage().contains("'mars-1'"), e.getMessage());
        assertTrue(e.getMessage().contains("us-east, eu-west, ap-south"), e.getMessage());
        assertEquals(ErrorCode.UNKNOWN_REGION, rejected("{\"primary\":\"Mars\",\"replicas\":[\"Mars\"]}").code());
    }

    @Test
    void shouldStartANewTenantAtEpochOneActive() {
        Placement p = parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}").toPlacement("acme", null);
        assertEquals(1, p.epoch());
        assertEquals(WriteState.ACTIVE, p.writes());
    }

    @Test
    void shouldBumpTheEpochAndKeepTheWritesStateOfTheCurrentPlacement() {
        Placement current = new Placement("acme", "us-east", List.of("us-east"), 7, WriteState.PAUSED,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        Placement next = parse("{\"primary\":\"eu-west\",\"replicas\":[\"eu-west\",\"us-east\"]}")
                .toPlacement("acme", current);
        assertEquals(8, next.epoch());
        assertEquals(WriteState.PAUSED, next.writes());
        assertEquals("eu-west", next.primary());
    }

    @Test
    void shouldTellWhetherTheCurrentPlacementAlreadyMatchesIgnoringEpochAndReplicaOrder() {
        Placement current = new Placement("acme", "us-east", List.of("us-east", "eu-west"), 7, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
        assertTrue(parse("{\"primary\":\"us-east\",\"replicas\":[\"eu-west\",\"us-east\"]}").isSatisfiedBy(current));
        assertFalse(parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}").isSatisfiedBy(current));
        assertFalse(parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],\"strategy\":\"lww\"}")
                .isSatisfiedBy(current));
        assertFalse(parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}").isSatisfiedBy(null));
    }

    @Test
    void shouldReadTheWriteConcernAndKeepTheCurrentOneWhenNotNamed() {
        PlacementRequest majority = parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"write_concern\":\"majority\"}");
        assertEquals(io.meridian.infra.model.WriteConcern.MAJORITY, majority.writeConcern());
        Placement created = majority.toPlacement("acme", null);
        assertEquals(io.meridian.infra.model.WriteConcern.MAJORITY, created.writeConcern());

        PlacementRequest unnamed = parse("{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        assertEquals(null, unnamed.writeConcern());
        Placement changed = unnamed.toPlacement("acme", created);
        assertEquals(io.meridian.infra.model.WriteConcern.MAJORITY, changed.writeConcern());
        assertEquals(2, changed.epoch());
        assertTrue(parse("{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"]}")
                .isSatisfiedBy(changed));
        assertFalse(parse("{\"primary\":\"eu-west\",\"replicas\":[\"us-east\",\"eu-west\"],\"write_concern\":"
                + "\"all\"}").isSatisfiedBy(changed));
        assertEquals(io.meridian.infra.model.WriteConcern.LOCAL, unnamed.toPlacement("new", null).writeConcern());
    }

    @Test
    void shouldRefuseAMalformedOrUnsatisfiableWriteConcern() {
        for (String bad : new String[] {"\"most\"", "\"regions=0\"", "2", "null", "[\"all\"]"}) {
            ApiException e = rejected("{\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"write_concern\":"
                    + bad + "}");
            assertEquals(ErrorCode.INVALID_WRITE_CONCERN, e.code(), bad);
        }
        assertEquals(ErrorCode.WRITE_CONCERN_UNSATISFIABLE, rejected("{\"primary\":\"us-east\",\"replicas\":"
                + "[\"us-east\",\"eu-west\"],\"write_concern\":\"regions=3\"}").code());
        // Kept from the current placement but no longer fitting the fewer replicas asked for.
        Placement current = parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"],"
                + "\"write_concern\":\"regions=3\"}").toPlacement("acme", null);
        PlacementRequest shrink = parse("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}");
        ApiException e = assertThrows(ApiException.class, () -> shrink.toPlacement("acme", current));
        assertEquals(ErrorCode.WRITE_CONCERN_UNSATISFIABLE, e.code());
    }
}
