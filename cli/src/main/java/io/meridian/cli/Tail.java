package io.meridian.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows Kafka topics the way an operator's {@code tail -f} would: no consumer group (every partition assigned, no
 * offsets committed, nothing left behind on the cluster), from the end or from the beginning, {@code read_committed}
 * so aborted controller transactions never show. Records are handed over as bytes: the caller decides how to read
 * them, so one unreadable record cannot stop the tail. Kafka failures become a {@link CliException} with
 * {@link ExitCode#UNAVAILABLE}.
 *
 * <p>Lifecycle: {@link #run} once, on one thread; {@link #stop} from any thread (and Ctrl-C) ends it.
 */
final class Tail implements AutoCloseable {
    static final Duration API_TIMEOUT = Duration.ofSeconds(15);
    /** The code of the failure to build a consumer whose bootstrap servers do not resolve. */
    static final String UNRESOLVABLE = "kafka_unresolvable";
    private static final Duration POLL = Duration.ofMillis(500);

    /** Gets every record in partition order; answers whether to go on. */
    @FunctionalInterface
    interface Handler {
        boolean accept(ConsumerRecord<byte[], byte[]> record);
    }

    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopped;

    Tail(String bootstrap) {
        this(bootstrap, Map.of());
    }

    Tail(String bootstrap, Map<String, Object> overrides) {
        this(bootstrap, Map.of(), overrides);
    }

    /**
     * @param clientSettings the operator's Kafka client settings ({@code --command-config}: TLS, SASL...), under the
     *                       tail's own (no group, read_committed, byte deserializers)
     * @param overrides      over everything (tests)
     */
    Tail(String bootstrap, Map<String, Object> clientSettings, Map<String, Object> overrides) {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        Map<String, Object> config = new HashMap<>(clientSettings);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridianctl-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) API_TIMEOUT.toMillis());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.putAll(overrides);
        try {
            this.consumer = new KafkaConsumer<>(config);
        } catch (KafkaException e) {
            if (String.valueOf(rootMessage(e)).startsWith("No resolvable bootstrap urls")) {
                // Well-formed, but no name resolves here: names of another network (containers, a private zone).
                throw new CliException(ExitCode.UNAVAILABLE, UNRESOLVABLE, "none of the Kafka bootstrap servers '"
                        + bootstrap + "' resolves from this machine", e);
            }
            throw new CliException(ExitCode.USAGE, "invalid_bootstrap", "cannot use Kafka bootstrap servers '"
                    + bootstrap + "': " + rootMessage(e), e);
        }
    }

    /**
     * Assigns every partition of {@code topics}, positions at the end (or the beginning), calls {@code positioned}
     * (every record from now on will be seen; it answers whether to go on), then hands records to {@code handler}
     * until it answers false or {@link #stop} is called.
     */
    void run(List<String> topics, boolean fromBeginning, BooleanSupplier positioned, Handler handler) {
        Thread hook = new Thread(this::stopAndWait, "meridianctl-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            List<TopicPartition> partitions = partitions(topics);
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            partitions.forEach(consumer::position);  // resolve the lazy seek now, so 'positioned' is race-free
            if (!positioned.getAsBoolean()) {
                return;
            }
            while (!stopped) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (!handler.accept(record)) {
                        return;
                    }
                }
            }
        } catch (WakeupException e) {
            if (!stopped) {
                throw e;
            }
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();  // Kafka cleared the flag when it threw: restore it, then end
        } catch (TimeoutException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_unavailable", "Kafka at " + bootstrap
                    + " did not answer within " + API_TIMEOUT.toSeconds() + " s (" + rootMessage(e)
                    + "); check --bootstrap or MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", e);
        } catch (KafkaException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_error", "reading from Kafka at " + bootstrap
                    + " failed: " + rootMessage(e), e);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running and waits for us
            }
        }
    }

    /**
     * Reads {@code topics} from the beginning to their end as of now (the last stable offsets), handing every record
     * to {@code handler}, then returns: a bounded read, for listing.
     */
    void readToEnd(List<String> topics, Handler handler) {
        try {
            List<TopicPartition> partitions = partitions(topics);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (!stopped && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(partition) && !handler.accept(record)) {
                        return;
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_unavailable", "Kafka at " + bootstrap
                    + " did not answer within " + API_TIMEOUT.toSeconds() + " s (" + rootMessage(e)
                    + "); check --bootstrap or MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", e);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_error", "reading from Kafka at " + bootstrap
                    + " failed: " + rootMessage(e), e);
        }
    }

    /**
     * Whether Kafka answers from here within {@code timeout}: the metadata of {@code topics} (from the bootstrap
     * servers) and their end offsets (from the partition leaders, at the addresses the brokers advertise, which an
     * operator's machine outside their network may not reach). Empty when it does; else why not. A topic that does
     * not exist is left to {@link #run} to report; any other Kafka failure (authentication, TLS) is an error, since it
     * is the settings that are wrong, not the way to the brokers.
     */
    Optional<String> unreachable(List<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, left(deadline));
                if (infos != null) {
                    infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
                }
            }
            consumer.endOffsets(partitions, left(deadline));
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of("Kafka at " + bootstrap + " did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted", "interrupted while reaching Kafka at "
                    + bootstrap, e);
        } catch (KafkaException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_error", "reading from Kafka at " + bootstrap
                    + " failed: " + rootMessage(e), e);
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Ends {@link #run} soon; thread-safe, safe to call twice. */
    void stop() {
        stopped = true;
        consumer.wakeup();
    }

    private void stopAndWait() {
        stop();
        try {
            done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<TopicPartition> partitions(List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new CliException(ExitCode.UNAVAILABLE, "topic_not_found", "topic " + topic
                        + " does not exist on " + bootstrap + ": the first Meridian node creates it; check"
                        + " --bootstrap");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        return partitions;
    }

    @Override
    public void close() {
        consumer.close();  // no group: nothing to commit or leave
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
