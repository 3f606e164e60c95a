package io.meridian.streams;

import io.meridian.infra.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node's applier reported last about each sync of its region (full sync, re-seed), with start times and
 * rates, for {@code GET /admin/tenants/{tenant}/sync}, {@code meridianctl}, the sync reporter and the
 * {@code meridian_sync_*} metrics. Thread-safe: the applier's stream threads write, HTTP threads read.
 */
public final class SyncTracker implements ApplyListener {
    private record Entry(SyncStatus status, long startedAtMillis, long updatedAtMillis) {
    }

    private final Clock clock;
    private final Map<String, Entry> byTenant = new ConcurrentHashMap<>();
    private final Counter documents;
    private final Counter bytes;
    private final Counter caughtUp;
    private final Counter digestMismatch;

    public SyncTracker(String region, MeterRegistry registry, Clock clock) {
        this.clock = clock;
        Gauge.builder(MetricNames.SYNC_IN_PROGRESS, this, t -> t.inProgress().size())
                .description("Tenants this node's region is filling from a snapshot")
                .tag(MetricNames.TAG_REGION, region).register(registry);
        Gauge.builder(MetricNames.SYNC_REMAINING_DOCUMENTS, this, SyncTracker::remainingDocuments)
                .description("Snapshot documents still to copy into this node's region")
                .tag(MetricNames.TAG_REGION, region).register(registry);
        documents = Counter.builder(MetricNames.SYNC_DOCUMENTS).tag(MetricNames.TAG_REGION, region)
                .description("Snapshot documents copied into this node's region").register(registry);
        bytes = Counter.builder(MetricNames.SYNC_BYTES).baseUnit("bytes").tag(MetricNames.TAG_REGION, region)
                .description("Snapshot bytes copied into this node's region").register(registry);
        caughtUp = Counter.builder(MetricNames.SYNC_COMPLETED).tag(MetricNames.TAG_REGION, region)
                .tag(MetricNames.TAG_OUTCOME, "caught_up").description("Syncs ended in this node's region")
                .register(registry);
        digestMismatch = Counter.builder(MetricNames.SYNC_COMPLETED).tag(MetricNames.TAG_REGION, region)
                .tag(MetricNames.TAG_OUTCOME, "digest_mismatch").description("Syncs ended in this node's region")
                .register(registry);
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
    }

    @Override
    public void onApplied(io.meridian.infra.model.Position position) {
    }

    @Override
    public void onSync(SyncStatus status) {
        long now = clock.millis();
        byTenant.compute(status.tenant(), (tenant, previous) -> {
            boolean sameSync = previous != null && previous.status().fencePosition().equals(status.fencePosition());
            long started = sameSync ? previous.startedAtMillis() : now;
            long copiedBefore = sameSync ? previous.status().documentsCopied() : 0;
            long bytesBefore = sameSync ? previous.status().bytesCopied() : 0;
            if (status.documentsCopied() > copiedBefore) {
                documents.increment(status.documentsCopied() - copiedBefore);
            }
            if (status.bytesCopied() > bytesBefore) {
                bytes.increment(status.bytesCopied() - bytesBefore);
            }
            boolean wasDone = sameSync && !previous.status().inProgress();
            if (!wasDone && status.caughtUp()) {
                caughtUp.increment();
            } else if (!wasDone && SyncStatus.FAILED.equals(status.state())) {
                digestMismatch.increment();
            }
            return new Entry(status, started, now);
        });
    }

    /** The latest report of the tenant's sync in this region (also after it ended), if any. */
    public Optional<SyncProgress> progress(String tenant) {
        return Optional.ofNullable(byTenant.get(tenant)).map(this::progressOf);
    }

    /** Every sync this node has heard of, by tenant. */
    public List<SyncProgress> all() {
        return byTenant.values().stream().map(this::progressOf)
                .sorted(Comparator.comparing(p -> p.status().tenant())).toList();
    }

    /** Syncs of this region that caught up (and whose 'syncing' the controller may not have cleared yet). */
    public List<SyncStatus> caughtUp() {
        return byTenant.values().stream().map(Entry::status).filter(SyncStatus::caughtUp).toList();
    }

    public List<SyncStatus> inProgress() {
        return byTenant.values().stream().map(Entry::status).filter(SyncStatus::inProgress).toList();
    }

    private double remainingDocuments() {
        return inProgress().stream().mapToLong(s -> s.documentsTotal() < 0 ? 0
                : Math.max(0, s.documentsTotal() - s.documentsCopied())).sum();
    }

    private SyncProgress progressOf(Entry entry) {
        return SyncProgress.of(entry.status(), entry.startedAtMillis(), entry.updatedAtMillis(), clock.millis());
    }
}
