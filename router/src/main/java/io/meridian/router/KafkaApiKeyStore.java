package io.meridian.router;

import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.ApiKeyRecord;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * {@link ApiKeyStore} over {@code meridian.api-keys} (one partition, compacted): a consumer without a group reads the
 * whole topic on {@link #start} and then follows it on one thread ("meridian-api-keys"), holding every live key in
 * memory (a digest, a few tenants and a name each: thousands of keys are a few MiB); an idempotent {@code acks=all}
 * producer publishes creations and revocations (tombstones). The latest record of a name wins, as compaction keeps it,
 * so every node holds the same keys. Records that cannot be read are skipped with a warning. Lifecycle: {@link #start}
 * once, {@link #close} idempotent. Thread-safe.
 */
public final class KafkaApiKeyStore implements ApiKeyStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaApiKeyStore.class);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.API_KEYS.name(), 0);

    private final KafkaConsumer<String, ApiKeyRecord> consumer;
    private final KafkaProducer<String, ApiKeyRecord> producer;
    /** Asks for the topic's end offset on behalf of {@link #caughtUp} (the consumer belongs to the reader thread). */
    private final Admin admin;
    private final Map<String, ApiKeyRecord> byName = new ConcurrentHashMap<>();
    private final Map<String, ApiKeyRecord> byDigest = new ConcurrentHashMap<>();
    /** Publications waiting to be read back: offset → futures. Guarded by itself. */
    private final SortedMap<Long, List<CompletableFuture<Void>>> readBack = new TreeMap<>();
    private final Lifecycle lifecycle = new Lifecycle("api keys");
    private final Thread thread;
    private volatile long position;

    /** @param clientId a suffix that names this node's clients */
    public KafkaApiKeyStore(Map<String, Object> kafkaClientProperties, String clientId) {
        Map<String, Object> consumerProps = new HashMap<>(kafkaClientProperties);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-api-keys-reader-" + clientId);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(consumerProps, Topics.API_KEYS.keySerde().deserializer(),
                Topics.API_KEYS.valueSerde().deserializer());
        Map<String, Object> producerProps = new HashMap<>(kafkaClientProperties);
        producerProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-api-keys-" + clientId);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(producerProps, Topics.API_KEYS.keySerde().serializer(),
                Topics.API_KEYS.valueSerde().serializer());
        Map<String, Object> adminProps = new HashMap<>(kafkaClientProperties);
        adminProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "meridian-api-keys-admin-" + clientId);
        this.admin = Admin.create(adminProps);
        this.thread = NamedThreads.thread("meridian-api-keys", this::run);
    }

    /**
     * Reads {@code meridian.api-keys} to its end, then follows it in the background.
     *
     * @throws IllegalStateException when called twice, or when the topic cannot be read to its end in
     *                               {@code loadTimeout}: a node must not answer data requests not knowing its keys
     */
    public void start(Duration loadTimeout) {
        lifecycle.beginStart();
        consumer.assign(List.of(PARTITION));
        consumer.seekToBeginning(List.of(PARTITION));
        long end = consumer.endOffsets(List.of(PARTITION), loadTimeout).get(PARTITION);
        long deadline = System.nanoTime() + loadTimeout.toNanos();
        while (consumer.position(PARTITION, loadTimeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + Topics.API_KEYS.name() + " to its end offset "
                        + end + " within " + loadTimeout.toMillis() + " ms");
            }
            poll(Duration.ofMillis(100));
        }
        position = consumer.position(PARTITION);
        LOG.info("api keys read from {}: {} key(s)", Topics.API_KEYS.name(), byName.size());
        thread.start();
        lifecycle.started();
    }

    @Override
    public Optional<ApiKeyRecord> byDigest(String digest) {
        return Optional.ofNullable(byDigest.get(digest));
    }

    @Override
    public Optional<ApiKeyRecord> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public List<ApiKeyRecord> all() {
        return List.copyOf(new TreeMap<>(byName).values());
    }

    @Override
    public CompletableFuture<Void> publish(ApiKeyRecord key) {
        return send(key.name(), key);
    }

    @Override
    public CompletableFuture<Void> revoke(String name) {
        return send(name, null);
    }

    private CompletableFuture<Void> send(String name, ApiKeyRecord value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(Topics.API_KEYS.name(), name, value), (metadata, error) -> {
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

    @Override
    public CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest())).partitionResult(PARTITION)
                .whenComplete((end, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        readUpTo(end.offset() - 1).thenRun(() -> done.complete(null));
                    }
                });
        return done;
    }

    /** Completes once the reader has applied the record at {@code offset} (at once for an offset already read). */
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
                position = consumer.position(PARTITION);
                completeReadBack();
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (lifecycle.isClosing()) {
                    return;
                }
                LOG.warn("reading {}: {}", Topics.API_KEYS.name(), e.toString());
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
            for (ConsumerRecord<String, ApiKeyRecord> record : consumer.poll(timeout)) {
                apply(record);
            }
        } catch (RecordDeserializationException bad) {
            // A record that cannot be read stops the partition: skip it, it grants nothing.
            LOG.warn("skipping unreadable record {}:{} of {}: {}", bad.topicPartition(), bad.offset(),
                    Topics.API_KEYS.name(), bad.toString());
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

    private void apply(ConsumerRecord<String, ApiKeyRecord> record) {
        String name = record.key();
        ApiKeyRecord key = record.value();
        if (name == null || (key != null && !key.name().equals(name))) {
            LOG.warn("skipping record {}:{} of {}: its key '{}' is not the name of the API key it holds",
                    PARTITION, record.offset(), Topics.API_KEYS.name(), name);
            return;
        }
        // The digest index loses the old key first: a revoked key never works longer than its name is listed.
        ApiKeyRecord previous = byName.get(name);
        if (previous != null) {
            byDigest.remove(previous.digest(), previous);
        }
        if (key == null) {
            byName.remove(name);
            if (previous != null && lifecycle.hasStarted()) {
                LOG.info("api key revoked name={} tenants={}", name, previous.tenants());
            }
            return;
        }
        if (previous != null && !previous.digest().equals(key.digest())) {
            // Two creates of one name on two nodes at once: the later record wins everywhere (compaction keeps it).
            LOG.warn("api key name={} was created again (node={} createdBy='{}'): the key created at {} by '{}' on"
                    + " node={} no longer works", name, key.node(), key.createdBy(), previous.createdAtMillis(),
                    previous.createdBy(), previous.node());
        }
        byName.put(name, key);
        byDigest.put(key.digest(), key);
        if (lifecycle.hasStarted()) {
            LOG.info("api key created name={} tenants={} createdBy='{}' node={}", name, key.tenants(),
                    key.createdBy(), key.node());
        }
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
