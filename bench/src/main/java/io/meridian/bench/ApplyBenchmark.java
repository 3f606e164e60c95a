package io.meridian.bench;

import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalProducerSettings;
import io.meridian.streams.RegionStreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Apply rate: how fast the region applier materializes the WAL, against a bare exactly-once Streams app that puts the
 * same records into RocksDB. The applier's topology reads {@code meridian.wal} itself, so both apps read the real WAL,
 * each under a fresh application id whose offsets are set, before it starts, to the WAL's end as this benchmark
 * began. After that point come only this run's own records: the fences of tenants created for this run (so the
 * applier knows them, as it would any new tenant) and {@code records} puts at their epoch, which it accepts. The
 * backlog is thus the same for both apps and for every run, whatever the WAL held before.
 */
final class ApplyBenchmark {
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);
    private static final String LIVE_APPLIER_PREFIX = RegionStreams.APPLICATION_ID_PREFIX;

    private final String bootstrap;
    private final Admin admin;
    private final BenchSetup setup;
    private final int records;
    private final Duration warmup;
    private final int rounds;

    /** @param rounds measured rounds, each a pass of both apps ({@link ApplyRounds}) */
    ApplyBenchmark(String bootstrap, Admin admin, BenchSetup setup, int records, Duration warmup, int rounds) {
        this.bootstrap = bootstrap;
        this.admin = admin;
        this.setup = setup;
        this.records = records;
        this.warmup = warmup;
        this.rounds = rounds;
    }

    /** Returns the measured passes in the order they ran, {@code rounds} of each app. */
    List<ApplyResult> run(int walPartitions, int tenants, int keys, int valueBytes) throws InterruptedException {
        Map<TopicPartition, Long> start = walOffsets(OffsetSpec.latest());
        // New tenants every run: their creation writes the fences the fresh apps must read before the puts.
        String prefix = "bench-apply-" + Long.toString(System.currentTimeMillis(), 36) + "-";
        List<String> names = BenchSetup.pickTenants(prefix, tenants, walPartitions);
        Workload workload = Workload.of(names, setup.placeTenants(names, false), keys, valueBytes);
        Map<Integer, Long> targets = fill(workload);
        long expected = 0;
        for (Map.Entry<Integer, Long> target : targets.entrySet()) {
            expected += target.getValue() + 1 - start.get(new TopicPartition(Topics.WAL.name(), target.getKey()));
        }
        Progress.line("apply: each app will process %d WAL offsets (fences, puts, transaction markers)", expected);
        awaitLiveAppliers(targets);
        Path stateRoot;
        try {
            stateRoot = Files.createTempDirectory("meridian-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state directory", e);
        }
        try {
            StreamsPass pass = new StreamsPass(bootstrap, admin, stateRoot, start);
            // The Streams, RocksDB and applier code paths of this JVM are cold: full unmeasured passes warm them.
            long warmupEnd = System.nanoTime() + warmup.toNanos();
            for (int round = 1; !warmup.isZero() && (round == 1 || System.nanoTime() < warmupEnd); round++) {
                for (String app : List.of(StreamsPass.APPLIER, StreamsPass.RAW)) {
                    Progress.line("apply warm-up round %d: %s", round, app);
                    ApplyResult result = pass.run(app, new ApplyProgress(walPartitions, targets, expected));
                    Progress.line("  (not measured) %s: %.0f records/s", app, result.recordsPerSec());
                }
            }
            List<ApplyResult> results = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                // Each app goes first every other round, so that neither always meets the machine a pass later.
                List<String> order = round % 2 == 1 ? List.of(StreamsPass.APPLIER, StreamsPass.RAW)
                        : List.of(StreamsPass.RAW, StreamsPass.APPLIER);
                for (String app : order) {
                    Progress.line("apply measured round %d of %d: %s", round, rounds, app);
                    ApplyResult result = pass.run(app, new ApplyProgress(walPartitions, targets, expected));
                    Progress.line("  %s: %.0f records/s steady; %d records in %.2f s = %.0f records/s (startup %.1f s),"
                                    + " %.1f µs CPU per record", app, result.recordsPerSec(), result.records(),
                            result.seconds(), result.fullSpanPerSec(), result.startupSeconds(),
                            result.cpuMicrosPerRecord());
                    results.add(result);
                }
            }
            return results;
        } finally {
            StreamsPass.deleteRecursively(stateRoot);
        }
    }

    /** Appends the puts; returns, per WAL partition, the offset of the last one. */
    private Map<Integer, Long> fill(Workload workload) throws InterruptedException {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-bench-fill");
        props.putAll(WalProducerSettings.durability());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        Map<Integer, Long> last = new ConcurrentHashMap<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        HybridLogicalClock hlc = new HybridLogicalClock(Clock.systemUTC());
        String run = Long.toString(System.currentTimeMillis(), 36);
        long started = System.nanoTime();
        Progress.line("apply: appending %d puts to %s", records, Topics.WAL.name());
        try (KafkaProducer<String, WalRecord> producer = new KafkaProducer<>(props, Topics.WAL.keySerde().serializer(),
                Topics.WAL.valueSerde().serializer())) {
            for (long seq = 0; seq < records && failure.get() == null; seq++) {
                String tenant = workload.tenant(seq);
                WalRecord put = new WalRecord.Put(tenant, workload.key(seq), workload.value(), workload.epoch(tenant),
                        Workload.REGION, hlc.now(), "bench-apply-" + run + "-" + seq);
                producer.send(new ProducerRecord<>(Topics.WAL.name(), tenant, put), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    } else {
                        last.merge(metadata.partition(), metadata.offset(), Math::max);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("appending to the WAL failed: " + failure.get(), failure.get());
        }
        Progress.line("apply: appended %d puts in %.1f s", records, (System.nanoTime() - started) / 1e9);
        return Map.copyOf(last);
    }

    private Map<TopicPartition, Long> walOffsets(OffsetSpec spec) throws InterruptedException {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.WAL.name())).allTopicNames().get()
                    .get(Topics.WAL.name()).partitions().stream()
                    .map(p -> new TopicPartition(Topics.WAL.name(), p.partition())).toList();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            partitions.forEach(p -> request.put(p, spec));
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((p, info) -> offsets.put(p, info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the WAL's offsets: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Waits until the running nodes' appliers have committed past the appended records: they apply them too, and on
     * a machine this small they would otherwise compete for the cores with the apps being timed.
     */
    private void awaitLiveAppliers(Map<Integer, Long> targets) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (true) {
            Map<String, Long> behind = liveApplierLag(targets);
            if (behind.values().stream().allMatch(lag -> lag == 0)) {
                Progress.line("apply: the running appliers %s have caught up", behind.keySet());
                return;
            }
            if (System.nanoTime() > deadline) {
                Progress.line("apply: the running appliers are still behind after %d min (%s); measuring anyway",
                        CATCH_UP_TIMEOUT.toMinutes(), behind);
                return;
            }
            Progress.line("apply: waiting for the running appliers to catch up, records behind: %s", behind);
            Thread.sleep(5000);
        }
    }

    /** Per live applier group: how many of the appended records it has not yet committed. */
    private Map<String, Long> liveApplierLag(Map<Integer, Long> targets) throws InterruptedException {
        try {
            Map<String, Long> lag = new HashMap<>();
            for (GroupListing group : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get()) {
                if (!group.groupId().startsWith(LIVE_APPLIER_PREFIX)) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
                long behind = 0;
                for (Map.Entry<Integer, Long> target : targets.entrySet()) {
                    OffsetAndMetadata offset = committed.get(new TopicPartition(Topics.WAL.name(), target.getKey()));
                    long next = offset == null ? 0 : offset.offset();
                    behind += Math.max(0, target.getValue() + 1 - next);
                }
                lag.put(group.groupId(), behind);
            }
            return lag;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the appliers' committed offsets: " + e.getCause(), e.getCause());
        }
    }
}
