package io.meridian.chaos.workload;

import io.meridian.chaos.history.History;
import io.meridian.chaos.history.Op;
import io.meridian.infra.model.IngestRequest;
import io.meridian.infra.model.IngestResult;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The workload's Kafka-native writer: {@value #RATE} put requests a second to {@code meridian.ingest}, round the run's
 * tenants, each to a key of its own ({@code g<seq>}, value {@code {"id":<requestId>}}), keyed by request id so that they
 * spread over every partition of the topic, hence over every node of the ingest group (whichever a fault kills holds
 * some). A reader follows {@code meridian.ingest-results} from its end at the start and records every outcome of the
 * run's requests as an {@code ingest-outcome} operation as it comes (a request read again after a crash gets more than
 * one). {@link #finish} waits for outcomes still due, then records one {@code ingest} operation per request: {@code ok}
 * with the position of its accepted outcome, {@code fail} when it was only rejected, {@code info} when it got none (or
 * Kafka did not acknowledge it: then {@code detail} says {@code not produced}). Start once; thread-safe.
 */
public final class IngestWriter implements AutoCloseable {
    static final int RATE = 10;
    public static final String KIND = "ingest";
    public static final String OUTCOME_KIND = "ingest-outcome";
    public static final String NOT_PRODUCED = "not produced";

    private final History history;
    private final Tenants tenants;
    private final String prefix;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Per request id, in the order sent. */
    private final Map<String, Sent> sent = new LinkedHashMap<>();
    /** Per request id, every outcome, in the order read. */
    private final Map<String, List<Outcome>> outcomes = new LinkedHashMap<>();
    private Thread writer;
    private Thread reader;

    private static final class Sent {
        final String tenant;
        final String key;
        final long atMs;
        volatile boolean acknowledged;
        volatile String error = "";

        Sent(String tenant, String key, long atMs) {
            this.tenant = tenant;
            this.key = key;
            this.atMs = atMs;
        }
    }

    private record Outcome(IngestResult result, long atMs) {
    }

    public IngestWriter(String bootstrapServers, History history, Tenants tenants, String runName) {
        this.history = history;
        this.tenants = tenants;
        this.prefix = runName + "-g";
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers, "acks", "all",
                "enable.idempotence", true, "linger.ms", 5, "client.id", "meridian-chaos-ingest"),
                new StringSerializer(), new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "isolation.level", "read_committed", "enable.auto.commit", false,
                "client.id", "meridian-chaos-ingest-results"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Fixes where the outcomes are read from (the end, now), then starts the reader and the writer. */
    public void start() {
        if (!writing.compareAndSet(false, true)) {
            throw new IllegalStateException("the ingest writer runs already");
        }
        String topic = Topics.INGEST_RESULTS.name();
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(60)));  // resolved before the first request
        reading.set(true);
        reader = daemon("chaos-ingest-results", this::readLoop);
        writer = daemon("chaos-ingest-writer", this::writeLoop);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void writeLoop() {
        long seq = 0;
        long periodNanos = 1_000_000_000L / RATE;
        long next = System.nanoTime();
        while (writing.get()) {
            seq++;
            String tenant = tenants.names().get((int) (seq % tenants.names().size()));
            String requestId = prefix + seq;
            String key = "g" + seq;
            byte[] value = Json.write(IngestRequest.put(requestId, tenant, key,
                    RawJson.parse("{\"id\":\"" + requestId + "\"}")));
            Sent request = new Sent(tenant, key, history.now());
            synchronized (this) {
                sent.put(requestId, request);
            }
            try {
                producer.send(new ProducerRecord<>(Topics.INGEST.name(), requestId, value), (metadata, error) -> {
                    if (error == null) {
                        request.acknowledged = true;
                    } else {
                        request.error = error.toString();
                    }
                });
            } catch (RuntimeException e) {
                request.error = e.toString();
            }
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                GoodClient.pause(Duration.ofNanos(wait));
            }
        }
    }

    private void readLoop() {
        while (reading.get()) {
            try {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.key().startsWith(prefix)) {
                        take(record);
                    }
                }
            } catch (RuntimeException e) {
                if (reading.get()) {
                    GoodClient.pause(Duration.ofMillis(200));  // brokers restarting: poll again
                }
            }
        }
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        IngestResult result;
        try {
            result = Json.read(record.value(), IngestResult.class);
        } catch (RuntimeException e) {
            // Keyed by one of our ids but not an outcome: recorded, so the checker sees the request has none.
            history.record(new Op(history.nextId(), OUTCOME_KIND, "", "", record.key(), "undecodable", history.now(),
                    history.now(), Op.INFO, 0, "undecodable", "", "", "", 1, e.toString()));
            return;
        }
        long now = history.now();
        synchronized (this) {
            outcomes.computeIfAbsent(result.requestId(), id -> new ArrayList<>()).add(new Outcome(result, now));
        }
        history.record(new Op(history.nextId(), OUTCOME_KIND, result.tenant(), result.key(), result.requestId(),
                result.status(), now, now, result.accepted() ? Op.OK : Op.FAIL, result.httpStatus(),
                result.accepted() ? "" : result.code(), result.position(), "", result.region(), 1,
                result.node() + " " + result.source()));
    }

    /** Stops producing; the reader goes on until {@link #finish}. */
    public void stopWriting() {
        if (writing.compareAndSet(true, false) && writer != null) {
            join(writer);
            producer.flush();
        }
    }

    /**
     * Waits up to {@code timeout} for every request Kafka acknowledged to have an outcome, stops reading, and records
     * one {@value #KIND} operation per request.
     *
     * @return requests sent
     */
    public int finish(Duration timeout) {
        stopWriting();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && waiting() > 0) {
            GoodClient.pause(Duration.ofMillis(500));
        }
        close();
        Map<String, Sent> requests;
        Map<String, List<Outcome>> seen;
        synchronized (this) {
            requests = new LinkedHashMap<>(sent);
            seen = new LinkedHashMap<>(outcomes);
        }
        requests.forEach((requestId, request) -> history.record(summary(requestId, request,
                seen.getOrDefault(requestId, List.of()))));
        return requests.size();
    }

    private synchronized long waiting() {
        return sent.entrySet().stream().filter(e -> e.getValue().acknowledged)
                .filter(e -> !outcomes.containsKey(e.getKey())).count();
    }

    private Op summary(String requestId, Sent request, List<Outcome> got) {
        Outcome accepted = got.stream().filter(o -> o.result().accepted()).findFirst().orElse(null);
        Outcome last = got.isEmpty() ? null : got.get(got.size() - 1);
        Outcome shown = accepted != null ? accepted : last;
        String outcome = accepted != null ? Op.OK : last != null ? Op.FAIL : Op.INFO;
        String detail = request.acknowledged ? got.size() + " outcome(s)"
                : NOT_PRODUCED + (request.error.isEmpty() ? "" : ": " + request.error);
        return new Op(history.nextId(), KIND, request.tenant, request.key, requestId, requestId, request.atMs,
                shown == null ? history.now() : shown.atMs(), outcome,
                shown == null ? HttpApi.IO_ERROR : shown.result().httpStatus(),
                shown == null ? "no_outcome" : shown.result().accepted() ? "" : shown.result().code(),
                accepted == null ? "" : accepted.result().position(), "",
                shown == null ? "" : shown.result().region(), got.size(), detail);
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops both threads and closes the clients; idempotent. */
    @Override
    public void close() {
        writing.set(false);
        if (writer != null) {
            join(writer);
        }
        if (reading.compareAndSet(true, false) && reader != null) {
            join(reader);
        }
        if (closed.compareAndSet(false, true)) {
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
        }
    }
}
