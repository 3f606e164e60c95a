package io.meridian.router.internal;

import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Placement;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous consistency check: on the controller only (so one node checks), each round samples up to
 * {@code sample} tenants replicated to two or more regions and checks them with {@link ReplicaVerifier}; the number
 * found {@link ReplicaVerifier.Status#DIVERGENT} in the last round is {@link MetricNames#REPLICA_DIVERGENT_TENANTS}
 * (0 on other nodes), and each is logged with its differing keys. Rounds are run by the caller on a slow schedule
 * (one thread); a round costs one digest scan per sampled tenant and region. Not for concurrent {@link #runRound}s.
 */
public final class ConsistencyCheck implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyCheck.class);

    private final RegionView view;
    private final ReplicaVerifier verifier;
    private final BooleanSupplier leading;
    private final int sample;
    private final Random random;
    private final AtomicInteger divergent = new AtomicInteger();

    public ConsistencyCheck(RegionView view, ReplicaVerifier verifier, BooleanSupplier leading, int sample,
                            MeterRegistry registry, Random random) {
        this.view = view;
        this.verifier = verifier;
        this.leading = leading;
        this.sample = sample;
        this.random = random;
        Gauge.builder(MetricNames.REPLICA_DIVERGENT_TENANTS, divergent, AtomicInteger::get)
                .description("Tenants whose replica regions differed at the same WAL position in the last check round")
                .register(registry);
    }

    @Override
    public void run() {
        try {
            runRound();
        } catch (RuntimeException e) {
            // The schedule would stop after an exception: log and try next round.
            LOG.warn("consistency check round failed: {}", e.toString());
        }
    }

    /** One round; returns the reports (empty when this node is not the controller or the view is not ready). */
    public List<ReplicaVerifier.Report> runRound() {
        if (!leading.getAsBoolean() || !view.isReady()) {
            divergent.set(0);
            return List.of();
        }
        List<Placement> candidates = new ArrayList<>(view.placements().stream()
                .filter(p -> VerifyApi.comparedRegions(p).size() >= 2).toList());
        Collections.shuffle(candidates, random);
        List<ReplicaVerifier.Report> reports = new ArrayList<>();
        int found = 0;
        for (Placement placement : candidates.subList(0, Math.min(sample, candidates.size()))) {
            ReplicaVerifier.Report report = verifier.verify(placement.tenant(), VerifyApi.comparedRegions(placement));
            reports.add(report);
            if (report.divergent()) {
                found++;
                LOG.error("replica divergence tenant={} epoch={} {}: keys {}", placement.tenant(), placement.epoch(),
                        report.message(), report.differences().stream().map(ReplicaVerifier.Difference::key).toList());
            } else if (report.status() == ReplicaVerifier.Status.INCOMPLETE) {
                LOG.info("consistency check of tenant={} incomplete: {}", placement.tenant(), report.regions());
            }
        }
        divergent.set(found);
        LOG.debug("consistency check round: {} tenant(s) checked, {} divergent", reports.size(), found);
        return reports;
    }

    /** Tenants found divergent in the last round. */
    public int divergentTenants() {
        return divergent.get();
    }
}
