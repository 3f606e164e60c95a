package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.StoredDocument;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConsistencyCheckTest {
    private static Placement placement(String tenant, List<String> replicas) {
        return new Placement(tenant, replicas.get(0), replicas, 1, WriteState.ACTIVE, ConflictStrategy.LWW,
                ReplicationMode.SINGLE_PRIMARY);
    }

    private static final List<Placement> PLACEMENTS = List.of(placement("acme", List.of("us-east", "eu-west")),
            placement("globex", List.of("us-east", "eu-west")), placement("solo", List.of("us-east")));

    private static final RegionView VIEW = new RegionView() {
        @Override
        public Optional<Placement> placement(String tenant) {
            return PLACEMENTS.stream().filter(p -> p.tenant().equals(tenant)).findFirst();
        }

        @Override
        public List<Placement> placements() {
            return PLACEMENTS;
        }

        @Override
        public Optional<StoredDocument> document(String tenant, String key) {
            return Optional.empty();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void addPlacementListener(Consumer<Placement> listener) {
        }
    };

    /** eu-west's copy of acme differs from us-east's at the same position; globex is the same everywhere. */
    private static final ReplicaVerifier.DigestSource REGIONS = (region, tenant, min, keys) ->
            CompletableFuture.completedFuture(new ReplicaVerifier.RegionDigest(region,
                    tenant.equals("acme") && region.equals("eu-west") ? "sha256:bad" : "sha256:good", 1,
                    new Position(0, 7), true, keys ? new java.util.TreeMap<>(java.util.Map.of("k",
                    new io.meridian.streams.TenantDigest.KeyDigest(tenant.equals("acme") && region.equals("eu-west")
                            ? "sha256:bad" : "sha256:good", "0:5"))) : null));

    @Test
    void shouldCountTheDivergentTenantsOfARoundOnTheControllerOnly() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicBoolean leading = new AtomicBoolean(true);
        ConsistencyCheck check = new ConsistencyCheck(VIEW, new ReplicaVerifier(REGIONS, Duration.ofSeconds(5)),
                leading::get, 10, registry, new Random(1));

        List<ReplicaVerifier.Report> reports = check.runRound();

        assertEquals(2, reports.size(), "the single-region tenant is not checked: " + reports);
        assertEquals(1.0, registry.get(MetricNames.REPLICA_DIVERGENT_TENANTS).gauge().value());

        leading.set(false);
        assertEquals(List.of(), check.runRound());
        assertEquals(0.0, registry.get(MetricNames.REPLICA_DIVERGENT_TENANTS).gauge().value(), "only the controller");
    }

    @Test
    void shouldCheckAtMostTheSampleSizePerRound() {
        ConsistencyCheck check = new ConsistencyCheck(VIEW, new ReplicaVerifier(REGIONS, Duration.ofSeconds(5)),
                () -> true, 1, new SimpleMeterRegistry(), new Random(1));
        assertEquals(1, check.runRound().size());
    }
}
