package io.meridian.chaos.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    /** Who owns the tenant's partition in each region, as the regions' nodes would answer. */
    private static final Map<String, String> OWNERS = Map.of("us-east", "us-east-2", "eu-west", "eu-west-1",
            "ap-south", "ap-south-2");

    @Test
    void shouldKillTheNodeOwningTheTenantsPartitionInItsPrimaryRegionTwoDrawsInThree() {
        for (int draw : new int[] {0, 1, 3, 4, 27, 28}) {
            Targets.Member member = Targets.pickMember(draw, "t", "us-east", REGIONS, 2,
                    region -> Optional.ofNullable(OWNERS.get(region)));
            assertEquals(new Targets.Member("us-east", 1, "us-east-2",
                    "owner of t's WAL partition in its primary region"), member, "draw " + draw);
        }
    }

    @Test
    void shouldKillTheOwnerInAReplicaRegionOnTheThirdDraw() {
        Targets.Member first = Targets.pickMember(2, "t", "us-east", REGIONS, 2,
                region -> Optional.ofNullable(OWNERS.get(region)));
        assertEquals(new Targets.Member("eu-west", 0, "eu-west-1", "owner of t's WAL partition in a replica region"),
                first);
        Targets.Member second = Targets.pickMember(11, "t", "us-east", REGIONS, 2,
                region -> Optional.ofNullable(OWNERS.get(region)));
        assertEquals("ap-south-2", second.nodeId());
        assertEquals(1, second.index());
    }

    @Test
    void shouldDrawANodeOfTheRegionWhenNoneNamesTheOwner() {
        for (int draw = 0; draw < 200; draw++) {
            Targets.Member member = Targets.pickMember(draw, "t", "eu-west", REGIONS, 3, region -> Optional.empty());
            assertTrue(member.index() >= 0 && member.index() < 3, member.toString());
            assertEquals(member.region() + "-" + (member.index() + 1), member.nodeId());
            assertTrue(member.role().endsWith("unknown, drawn at random"), member.role());
        }
        // An owner of another region's name (a stale answer) is no owner of this one.
        Targets.Member member = Targets.pickMember(0, "t", "eu-west", REGIONS, 2, region -> Optional.of("us-east-2"));
        assertEquals("eu-west", member.region());
        assertTrue(member.role().endsWith("unknown, drawn at random"), member.role());
    }
}
