package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.IntNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.router.RouterMetrics;
import io.meridian.streams.StoredDocument;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of {@code X-Meridian-Read-Concern}, and which answer is the freshest. */
class ReadConcernTest {
    private static final Placement THREE = new Placement("acme", "us-east", List.of("us-east", "eu-west", "ap-south"),
            4, WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    private final ReadConcerns concerns = new ReadConcerns("eu-west", Map.of(), null, null, Duration.ofSeconds(1),
            () -> HealthSnapshot.of(0, List.of()), Runnable::run, new ErrorResponses(1),
            new RouterMetrics(new SimpleMeterRegistry()));

    @Test
    void shouldParseTheReadConcerns() {
        assertEquals(ReadConcern.FRESHEST, ReadConcern.parse(" freshest "));
        assertEquals(ReadConcern.MAJORITY, ReadConcern.parse("majority"));
        assertEquals(new ReadConcern(ReadConcern.Kind.REGIONS, 2), ReadConcern.parse("regions=2"));
        for (String bad : new String[] {"", "all", "regions=0", "regions=", "regions=-1", "regions=1000", "Freshest"}) {
            assertThrows(IllegalArgumentException.class, () -> ReadConcern.parse(bad), bad);
            ApiException refused = assertThrows(ApiException.class, () -> RequestParsing.readConcern(bad), bad);
            assertEquals(ErrorCode.INVALID_READ_CONCERN, refused.code());
        }
        assertEquals(2, ReadConcern.MAJORITY.regionsRequired(3));
        assertEquals(1, ReadConcern.FRESHEST.regionsRequired(3));
    }

    @Test
    void shouldPickTheRegionFurthestInThePartitionWithTiesToThisRegionThenThePlacementOrder() {
        ReadConcerns.Answer usEast = answer("us-east", 120, 110);
        ReadConcerns.Answer euWest = answer("eu-west", 90, 80);
        ReadConcerns.Answer apSouth = answer("ap-south", 120, 110);
        assertEquals("us-east", concerns.freshest(List.of(euWest, apSouth, usEast), THREE).region());
        assertEquals("eu-west", concerns.freshest(List.of(answer("us-east", 90, 80), euWest), THREE).region());
        // A region that applied past the document's last write and holds none: it was deleted, that is the newest.
        ReadConcerns.Answer deleted = new ReadConcerns.Answer("ap-south", true, 150, null);
        assertEquals(deleted, concerns.freshest(List.of(usEast, euWest, deleted), THREE));
    }

    private static ReadConcerns.Answer answer(String region, long freshness, long documentOffset) {
        return new ReadConcerns.Answer(region, true, freshness,
                new StoredDocument(RawJson.of(IntNode.valueOf(1)), "3:" + documentOffset, 4, 1L, "us-east"));
    }
}
