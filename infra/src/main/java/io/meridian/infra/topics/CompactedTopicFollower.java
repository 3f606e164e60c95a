package io.meridian.infra.topics;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's copy of a small one-partition compacted topic of operator intents ({@code meridian.regions},
 * {@code meridian.api-keys}): a consumer without a group reads the whole topic on {@link #start} and then follows it on
 * one thread, handing every record to {@code apply} in log order; an idempotent {@code acks=all} producer publishes,
 * and {@link #publish} completes once the record has been read back, so the publisher's next decision sees it.
 * Records that cannot be read are skipped with a warning. Lifecycle: {@link #start} once, {@link #close} idempotent.
 * Thread-safe; {@code apply} runs on the starting thread during {@link #start}, then on the follower's thread.
 *
 * @param <V> the topic's values (null: a tombstone)
 */
public final class CompactedTopicFollower<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicFollower.class);

    private final Topic<String, V> topic;
    private final TopicPartition partition;
    private final KafkaConsumer<String, V> consumer;
    private final KafkaProducer<String, V> producer;
    /** Asks for the topic's end offset on behalf of {@link #caughtUp} (the consumer belongs to the follower thread). */
    private final Admin admin;
    private final Consumer<ConsumerRecord<String, V>> apply;
    /** Publications waiting to be read back: offset → futures. Guarded by itself. */
    private final SortedMap<Long, List<CompletableFuture<Void>>> readBack = new TreeMap<>();
    private final Lifecycle lifecycle;
    private final Thread thread;
    private volatile long position;

    /**
     * @param name     names the thread and, with {@code clientId}, the Kafka clients: {@code <name>-reader-<id>},
     *                 {@code <name>-<id>}, {@code <name>-admin-<id>}
     * @param clientId a suffix that names this node's clients
     * @param apply    takes every record of the topic, in log order; keep it quick
     */
    public CompactedTopicFollower(Topic<String, V> topic, Map<String, Object> kafkaClientProperties, String name,
                                  String clientId, Consumer<ConsumerRecord<String, V>> apply) {
        this.topic = topic;
        this.partition = new TopicPartition(topic.name(), 0);
        this.apply = apply;
        this.lifecycle = new Lifecycle(topic.name() + " follower");
        Map<String, Object> consumerProps = new HashMap<>(kafkaClientProperties);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-reader-" + clientId);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(consumerProps, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        Map<String, Object> producerProps = new HashMap<>(kafkaClientProperties);
        producerProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, name + "-" + clientId);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(producerProps, topic.keySerde().serializer(),
                topic.valueSerde().serializer());
        Map<String, Object> adminProps = new HashMap<>(kafkaClientProperties);
        adminProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, name + "-admin-" + clientId);
        this.admin = Admin.create(adminProps);
        this.thread = NamedThreads.thread(name, this::run);
    }

    /**
     * Reads the topic to its end (every record through {@code apply}), then follows it in the background.
     *
     * @throws IllegalStateException when called twice, or when the topic cannot be read to its end in
     *                               {@code loadTimeout}
     */
    public void start(Duration loadTimeout) {
        lifecycle.beginStart();
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), loadTimeout).get(partition);
        long deadline = System.nanoTime() + loadTimeout.toNanos();
        while (consumer.position(partition, loadTimeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic.name() + " to its end offset " + end
                        + " within " + loadTimeout.toMillis() + " ms");
            }
            poll(Duration.ofMillis(100));
        }
        position = consumer.position(partition);
        thread.start();
        lifecycle.started();
    }

    /**
     * Publishes {@code value} under {@code key} (null: a tombstone); completes once this node has read it back, or
     * exceptionally when Kafka refused it.
     */
    public CompletableFuture<Void> publish(String key, V value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, value), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                    return;
                }
                readUpTo(metadata.offset()).thenRun(() -> done.complete(null));
            });
        } catch (KafkaException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Completes once this node has read every record any node published before the call. */
    public CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .whenComplete((end, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        readUpTo(end.offset() - 1).thenRun(() -> done.complete(null));
                    }
                });
        return done;
    }

    /** Completes once the follower has applied the record at {@code offset} (at once for an offset already read). */
    private CompletableFuture<Void> readUpTo(long offset) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        synchronized (readBack) {
            if (position > offset) {
                seen.complete(null);
            } else {
                readBack.computeIfAbsent(offset, o -> new ArrayList<>()).add(seen);
            }
        }
        return seen;
    }

    private void run() {
        while (!lifecycle.isClosing()) {
            try {
                poll(Duration.ofMillis(500));
                position = consumer.position(partition);
                completeReadBack();
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (lifecycle.isClosing()) {
                    return;
                }
                LOG.warn("reading {}: {}", topic.name(), e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void poll(Duration timeout) {
        try {
            for (ConsumerRecord<String, V> record : consumer.poll(timeout)) {
                apply.accept(record);
            }
        } catch (RecordDeserializationException bad) {
            // A record that cannot be deserialized stops the partition: skip it, it changes nothing.
            LOG.warn("skipping unreadable record {}:{} of {}: {}", bad.topicPartition(), bad.offset(), topic.name(),
                    bad.toString());
            consumer.seek(bad.topicPartition(), bad.offset() + 1);
        }
    }

    private void completeReadBack() {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (readBack) {
            Iterator<Map.Entry<Long, List<CompletableFuture<Void>>>> it = readBack.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, List<CompletableFuture<Void>>> entry = it.next();
                if (entry.getKey() >= position) {
                    break;
                }
                due.addAll(entry.getValue());
                it.remove();
            }
        }
        due.forEach(f -> f.complete(null));
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
        lifecycle.closed();
    }
}
