package io.meridian.bench;

import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.topics.Topics;
import io.meridian.streams.RegionApplierTopology;
import io.meridian.streams.RegionStreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * One pass of a Kafka Streams app over the WAL from given offsets, under a fresh {@code application.id}, with its own
 * temporary state directory: the region applier as the node runs it, or the raw baseline. Both get the node's settings
 * that shape throughput (exactly_once_v2, its default commit interval, one stream thread, no task idling, its producer
 * linger). After the pass the app's local state, internal topics and consumer group are removed.
 */
final class StreamsPass {
    static final String APPLIER = "applier";
    static final String RAW = "raw-streams";
    private static final String RAW_STORE = "bench-raw-docs";
    private static final Duration PASS_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrap;
    private final Admin admin;
    private final Path stateRoot;
    private final Map<TopicPartition, OffsetAndMetadata> startOffsets;

    /** @param start where in the WAL every pass starts */
    StreamsPass(String bootstrap, Admin admin, Path stateRoot, Map<TopicPartition, Long> start) {
        this.bootstrap = bootstrap;
        this.admin = admin;
        this.stateRoot = stateRoot;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        start.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
        this.startOffsets = Map.copyOf(offsets);
    }

    ApplyResult run(String app, ApplyProgress progress) throws InterruptedException {
        String appId = "meridian-bench-" + app + "-" + System.currentTimeMillis();
        Topology topology = APPLIER.equals(app)
                ? RegionApplierTopology.build(new Topology(), Workload.REGION, startOffsets.size(), progress, false)
                : rawTopology(progress);
        Path stateDir = stateRoot.resolve(appId);
        // Committed before the group's first member joins, so Streams starts there instead of at the WAL's beginning.
        try {
            admin.alterConsumerGroupOffsets(appId, startOffsets).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set the start offsets of " + appId + ": " + e.getCause(), e.getCause());
        }
        KafkaStreams streams = new KafkaStreams(topology, properties(appId, stateDir));
        streams.setUncaughtExceptionHandler(error -> {
            Progress.line("  %s: stream thread failed: %s", app, error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        progress.measureCpuWith(new AppThreadsCpu(appId));
        long started = System.nanoTime();
        streams.start();
        try {
            while (!progress.await(Duration.ofSeconds(5))) {
                long now = System.nanoTime();
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException(app + " stopped (" + streams.state() + ") after "
                            + progress.records() + " records");
                }
                if (now - started > PASS_TIMEOUT.toNanos()) {
                    throw new IllegalStateException(app + " did not reach the WAL end offsets in "
                            + PASS_TIMEOUT.toMinutes() + " min (" + progress.records() + " records)");
                }
                Progress.line("  [%s] %s, %d records so far (%.0f s)", app, streams.state(), progress.records(),
                        (now - started) / 1e9);
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
            deleteRecursively(stateDir);
            removeFromKafka(appId);
        }
        double seconds = (progress.doneNanos() - progress.firstNanos()) / 1e9;
        boolean raw = RAW.equals(app);
        return new ApplyResult(app, progress.steadyRate(), progress.recordsAtDone(), seconds,
                progress.recordsAtDone() / seconds, (progress.firstNanos() - started) / 1e9,
                progress.cpuMicrosPerRecord(),
                raw ? -1 : progress.accepted(), raw ? -1 : progress.rejected(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private Properties properties(String appId, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // The applier's default: both sides of the comparison commit as often.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, MeridianConfig.DEFAULT_STREAMS_COMMIT_INTERVAL_MS);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, RegionApplierTopology.MAX_TASK_IDLE_MS);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3);
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), 2);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), RegionStreams.PRODUCER_LINGER_MS);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.CLIENT_RACK_CONFIG), Workload.REGION);
        // Streams members do not leave their group on close (it saves a rebalance on restart); this pass's group is
        // deleted right after, which only works once it is empty.
        props.put(StreamsConfig.consumerPrefix("internal.leave.group.on.close"), true);
        return props;
    }

    private static Topology rawTopology(ApplyProgress progress) {
        Topology topology = new Topology();
        topology.addSource("wal-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.WAL.name());
        topology.addProcessor("materialize", () -> new RawMaterializer(progress), "wal-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RAW_STORE), Serdes.Bytes(),
                Serdes.ByteArray()), "materialize");
        return topology;
    }

    /** The baseline's whole logic: put the record's bytes under its key (the tenant) into RocksDB. */
    private static final class RawMaterializer implements Processor<byte[], byte[], Void, Void> {
        private static final byte[] NO_KEY = new byte[0];
        private final ApplyProgress progress;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<Bytes, byte[]> store;

        RawMaterializer(ApplyProgress progress) {
            this.progress = progress;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore(RAW_STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata meta = context.recordMetadata().orElseThrow();
            store.put(Bytes.wrap(record.key() == null ? NO_KEY : record.key()), record.value());
            progress.applied(meta.partition(), meta.offset());
        }
    }

    /** Deletes the pass's changelog topics and consumer group, so repeated runs leave the cluster as it was. */
    private void removeFromKafka(String appId) throws InterruptedException {
        try {
            List<String> internal = admin.listTopics().names().get().stream()
                    .filter(name -> name.startsWith(appId + "-")).toList();
            if (!internal.isEmpty()) {
                admin.deleteTopics(internal).all().get();
            }
        } catch (ExecutionException e) {
            Progress.line("  could not delete the internal topics of %s: %s", appId, e.getCause());
        }
        // The group may stay non-empty for a moment after close(); retry a few times, then leave it (it expires).
        Throwable last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                admin.deleteConsumerGroups(List.of(appId)).all().get();
                return;
            } catch (ExecutionException e) {
                last = e.getCause();
                Thread.sleep(1000);
            }
        }
        Progress.line("  could not delete consumer group %s (%s); it expires with the broker's offsets retention", appId,
                last);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
