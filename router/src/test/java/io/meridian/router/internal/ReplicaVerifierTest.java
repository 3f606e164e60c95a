package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Position;
import io.meridian.streams.TenantDigest.KeyDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplicaVerifierTest {
    private static final List<String> REGIONS = List.of("eu-west", "us-east");

    /** A region whose copy is {@code docs} (key → digest) at {@code offset} of partition 3. */
    private record Copy(long offset, Map<String, String> docs) {
        ReplicaVerifier.RegionDigest answer(String region, boolean keys) {
            SortedMap<String, KeyDigest> byKey = new TreeMap<>();
            docs.forEach((k, d) -> byKey.put(k, new KeyDigest(d, "3:1")));
            return new ReplicaVerifier.RegionDigest(region, "sha256:" + new TreeMap<>(docs).hashCode(), docs.size(),
                    new Position(3, offset), true, keys ? byKey : null);
        }
    }

    /** Serves the copies; a region asked for a min position it has not reached "catches up" to it (same docs). */
    private static final class Regions implements ReplicaVerifier.DigestSource {
        final Map<String, Copy> copies = new TreeMap<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public CompletableFuture<ReplicaVerifier.RegionDigest> digest(String region, String tenant, Position min,
                                                                      boolean keys) {
            asked.add(region + "@" + min + (keys ? "+keys" : ""));
            Copy copy = copies.get(region);
            if (copy == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("503 not_ready: down"));
            }
            if (min != null && copy.offset() < min.offset()) {
                copy = new Copy(min.offset(), copy.docs());
                copies.put(region, copy);
            }
            return CompletableFuture.completedFuture(copy.answer(region, keys));
        }
    }

    private final Regions regions = new Regions();
    private final ReplicaVerifier verifier = new ReplicaVerifier(regions, Duration.ofSeconds(5));

    @Test
    void shouldFindEqualCopiesConsistentAfterBringingTheRegionsToOnePosition() {
        regions.copies.put("us-east", new Copy(10, Map.of("a", "1", "b", "2")));
        regions.copies.put("eu-west", new Copy(8, Map.of("a", "1", "b", "2")));

        ReplicaVerifier.Report report = verifier.verify("acme", REGIONS);

        assertEquals(ReplicaVerifier.Status.CONSISTENT, report.status(), report.toString());
        assertTrue(regions.asked.contains("eu-west@3:10"), "asked again at the largest position: " + regions.asked);
        assertEquals(List.of(), report.differences());
    }

    @Test
    void shouldListTheKeysThatDifferAtTheSamePosition() {
        regions.copies.put("us-east", new Copy(10, Map.of("a", "1", "b", "2", "c", "3")));
        regions.copies.put("eu-west", new Copy(10, Map.of("a", "1", "b", "X", "d", "4")));

        ReplicaVerifier.Report report = verifier.verify("acme", REGIONS);

        assertEquals(ReplicaVerifier.Status.DIVERGENT, report.status(), report.toString());
        assertEquals(List.of("b", "c", "d"), report.differences().stream().map(ReplicaVerifier.Difference::key).toList());
        ReplicaVerifier.Difference c = report.differences().get(1);
        assertNull(c.versions().get("eu-west"), "absent in eu-west");
        assertEquals("3", c.versions().get("us-east").digest());
    }

    @Test
    void shouldNotCallItDivergenceWhenTheRegionsAnsweredAtDifferentPositions() {
        regions.copies.put("us-east", new Copy(10, Map.of("a", "1")));
        // eu-west keeps moving past every target: the positions never agree.
        ReplicaVerifier.DigestSource moving = (region, tenant, min, keys) -> {
            if (region.equals("eu-west")) {
                long offset = (min == null ? 10 : min.offset()) + 1;
                return CompletableFuture.completedFuture(new Copy(offset, Map.of("a", "2")).answer(region, keys));
            }
            return regions.digest(region, tenant, min, keys);
        };
        ReplicaVerifier.Report report = new ReplicaVerifier(moving, Duration.ofSeconds(5)).verify("acme", REGIONS);

        assertEquals(ReplicaVerifier.Status.UNCONFIRMED, report.status(), report.toString());
        assertEquals(List.of("a"), report.differences().stream().map(ReplicaVerifier.Difference::key).toList());
    }

    @Test
    void shouldReportARegionThatDoesNotAnswerAsIncomplete() {
        regions.copies.put("us-east", new Copy(10, Map.of("a", "1")));

        ReplicaVerifier.Report report = verifier.verify("acme", REGIONS);

        assertEquals(ReplicaVerifier.Status.INCOMPLETE, report.status());
        assertEquals(Map.of("error", "503 not_ready: down"), report.regions().get("eu-west"));
    }
}
