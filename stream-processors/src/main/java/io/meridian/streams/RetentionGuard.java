package io.meridian.streams;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.metrics.MetricNames;
import io.meridian.infra.model.Position;
import io.meridian.infra.topics.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when this region skipped WAL records that retention deleted before its applier read them: its committed
 * offset fell below the partition's log start, Streams reset to the earliest offset, and fences and documents in
 * between are missing here for good. Such a region must not serve as a failover candidate or a migration target
 * until it is re-seeded: it reports {@code needsReseed} in its heartbeats and in
 * {@code meridian_region_needs_reseed}. The mark is kept in the state directory, so a restart does not forget it.
 *
 * <p>The applier tells {@link #onGap} when the first record it processes after a (re)start is not the next one after
 * its restored position; transaction markers and aborted records leave gaps too, so the guard asks the brokers for
 * the log start offset: records were lost only if it is past the restored position. Thread-safe.
 */
public final class RetentionGuard implements ApplyListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionGuard.class);
    public static final String MARKER_FILE = "needs-reseed";

    private final IntToLongFunction logStartOffset;
    private final Path marker;
    private final ExecutorService checks;
    private final AutoCloseable onClose;
    private final SortedSet<Integer> lostPartitions = Collections.synchronizedSortedSet(new TreeSet<>());

    /**
     * @param logStartOffset the WAL partition's first offset on the brokers
     * @param stateDir       where the mark survives restarts
     */
    public RetentionGuard(IntToLongFunction logStartOffset, Path stateDir, MeterRegistry registry,
                          String region, AutoCloseable onClose) {
        this.logStartOffset = logStartOffset;
        this.marker = stateDir.resolve(MARKER_FILE);
        this.onClose = onClose;
        this.checks = Executors.newSingleThreadExecutor(NamedThreads.factory("meridian-retention-guard"));
        lostPartitions.addAll(readMarker(marker));
        if (!lostPartitions.isEmpty()) {
            LOG.error("region={} NEEDS RESEED: it skipped WAL records deleted by retention in partitions {} (from {})",
                    region, lostPartitions, marker);
        }
        Gauge.builder(MetricNames.REGION_NEEDS_RESEED, this, g -> g.needsReseed() ? 1 : 0)
                .description("1 when this node's region skipped WAL records deleted by retention and must be re-seeded")
                .tag(MetricNames.TAG_REGION, region)
                .register(registry);
    }

    /** A guard that asks the brokers through its own admin client. */
    public static RetentionGuard withAdmin(Map<String, Object> kafkaClientProperties, Path stateDir,
                                           MeterRegistry registry, String region) {
        Admin admin = Admin.create(kafkaClientProperties);
        IntToLongFunction logStart = partition -> {
            TopicPartition tp = new TopicPartition(Topics.WAL.name(), partition);
            try {
                return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)
                        .get(30, TimeUnit.SECONDS).offset();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot read the log start offset of " + tp + ": " + e, e);
            }
        };
        return new RetentionGuard(logStart, stateDir, registry, region, admin);
    }

    public boolean needsReseed() {
        return !lostPartitions.isEmpty();
    }

    /**
     * The region was re-seeded (every tenant it holds synced again from a snapshot after the gap): forget the mark.
     */
    public void clear() {
        Set<Integer> was = lostPartitions();
        lostPartitions.clear();
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LOG.error("cannot delete the needs-reseed mark {}: {}", marker, e.toString());
        }
        LOG.info("re-seeded: WAL partitions {} no longer mark this region as needing a reseed", was);
    }

    /** The WAL partitions in which this region skipped deleted records. */
    public Set<Integer> lostPartitions() {
        synchronized (lostPartitions) {
            return Set.copyOf(lostPartitions);
        }
    }

    @Override
    public void onGap(int partition, long lastApplied, long firstProcessed) {
        checks.execute(() -> check(partition, lastApplied, firstProcessed));
    }

    private void check(int partition, long lastApplied, long firstProcessed) {
        long logStart;
        try {
            logStart = logStartOffset.applyAsLong(partition);
        } catch (RuntimeException e) {
            LOG.warn("cannot check WAL partition {} for records lost to retention: {}", partition, e.toString());
            return;
        }
        if (logStart <= lastApplied + 1) {
            return;  // the gap held only transaction markers or aborted records
        }
        LOG.error("NEEDS RESEED: WAL partition {} was applied up to {} but its log now starts at {} (first record"
                + " processed: {}): offsets {}..{} were deleted by retention before this region applied them",
                partition, lastApplied, logStart, firstProcessed, lastApplied + 1, logStart - 1);
        if (lostPartitions.add(partition)) {
            writeMarker();
        }
    }

    private void writeMarker() {
        String text = lostPartitions().stream().sorted().map(String::valueOf).collect(Collectors.joining("\n"));
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, text + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.error("cannot persist the needs-reseed mark in {}: {}", marker, e.toString());
        }
    }

    private static Set<Integer> readMarker(Path marker) {
        if (!Files.exists(marker)) {
            return Set.of();
        }
        try {
            return Files.readAllLines(marker, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).map(Integer::valueOf).collect(Collectors.toSet());
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException(new IOException("unreadable needs-reseed mark " + marker + ": " + e, e));
        }
    }

    @Override
    public void onDecided(ApplyOutcome outcome) {
    }

    @Override
    public void onApplied(Position position) {
    }

    @Override
    public void close() throws Exception {
        checks.shutdownNow();
        onClose.close();
    }
}
