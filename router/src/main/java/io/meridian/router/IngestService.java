package io.meridian.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.IngestResult;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.meridian.router.IngestMetrics.Outcome;
import io.meridian.router.internal.ErrorCode;
import io.meridian.router.internal.IngestWrites;
import io.meridian.router.internal.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's share of {@code meridian.ingest}: write requests that services produce to Kafka, written through the
 * HTTP write path ({@link IngestWrites}) and answered on {@code meridian.ingest-results}, keyed by request id.
 *
 * <p><b>Who reads what.</b> Every node of every region is a member of ONE consumer group ({@code ingest.group.id}),
 * so each request is read by one node of the deployment, whatever its key and partition; a request of a tenant whose
 * primary is another region is sent there over HTTP (the write path's 307, followed as a client would). Reading scales
 * with the topic's partitions and the nodes; no region reads what another region's nodes read.
 *
 * <p><b>What it guarantees.</b> The topic is consumed at least once: a partition's offset is committed only past
 * requests whose outcome Kafka acknowledged (and, for a malformed request, its dead letter). A request read again
 * after a crash or a rebalance is written again with the same request id, its Idempotency-Key, which the appliers
 * remember: it is applied at most once, and an accepted request is answered with the position of its first write. So
 * each valid request is applied once and gets at least one outcome. Requests for one document ({@code tenant/key})
 * are written one after the other in the order this node read them; different documents concurrently, up to
 * {@code ingest.max.in.flight}.
 *
 * <p>An answer that may pass by itself (every 503, a 409 {@code placement_changed}, a redirect that keeps moving) is
 * retried with the same request id, with backoff, for up to {@code ingest.retry.budget.ms}; then it is the outcome.
 * The consumer never stops on a request: one it cannot read gets a rejected outcome and a dead letter.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} any number of times. Thread-safe; the consumer is used on its own
 * thread only.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    static final Duration POLL = Duration.ofMillis(100);
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final MeridianConfig config;
    private final IngestWrites writes;
    private final Clock clock;
    private final Lifecycle lifecycle;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaClientMetrics consumerMetrics;
    private final IngestMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Thread pollThread;
    private final String node;
    /** Offsets whose outcome is out, handed from any thread to the poll thread. */
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    /** The last write of each document in flight: the next request for it waits for it. */
    private final Map<String, CompletableFuture<Void>> documents = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The partitions of meridian.ingest this node owns now (written on the poll thread). */
    private final java.util.Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    /** Per assigned partition, on the poll thread only. */
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private volatile boolean closing;

    IngestService(MeridianConfig config, IngestWrites writes, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.writes = writes;
        this.clock = clock;
        this.node = config.nodeId();
        this.lifecycle = new Lifecycle("ingest consumer of node " + node);
        Map<String, Object> consumerProps = new HashMap<>(config.kafkaClientProperties());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.ingestGroupId());
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-ingest-" + node);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A group that starts reads what was produced before it: no request is skipped.
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, config.ingestMaxInFlight()));
        consumerProps.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerProps = new HashMap<>(config.kafkaClientProperties());
        producerProps.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "meridian-ingest-results-" + node);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        this.metrics = new IngestMetrics(registry, inFlight::get);
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("meridian-ingest-timer-" + node));
        this.pollThread = NamedThreads.factory("meridian-ingest-" + node).newThread(this::run);
    }

    /**
     * Joins the group and starts reading.
     *
     * @throws IllegalStateException when called a second time, or after {@link #close()}
     */
    public void start() {
        lifecycle.beginStart();
        pollThread.start();
        lifecycle.started();
        LOG.info("ingest consumer started node={} region={} group={} topic={}", node, config.region(),
                config.ingestGroupId(), Topics.INGEST.name());
    }

    /** How many partitions of {@code meridian.ingest} this node reads now. */
    public int assignedPartitions() {
        return assigned.size();
    }

    /** Requests read and not yet answered on this node. */
    public int inFlight() {
        return inFlight.get();
    }

    private void run() {
        try {
            consumer.subscribe(java.util.List.of(Topics.INGEST.name()), new Rebalance());
            long nextCommit = 0;
            while (!closing) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    take(record);
                }
                boolean anyDone = drainDone();
                long now = System.nanoTime();
                if (anyDone && now - nextCommit >= 0) {
                    commit(false);
                    nextCommit = now + COMMIT_INTERVAL.toNanos();
                }
                // Bounded work: stop fetching while too many requests are in flight.
                if (inFlight.get() >= config.ingestMaxInFlight()) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closing) {
                LOG.error("ingest consumer of node={} failed; this node reads no more ingest requests (others take"
                        + " its partitions)", node, e);
            }
        } finally {
            try {
                drainDone();
                commit(true);
            } catch (RuntimeException e) {
                LOG.warn("ingest consumer of node={}: last commit failed ({}); those requests will be read again",
                        node, e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** One request read: written (after the earlier requests of its document), answered, then committable. */
    private void take(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Progress at = progress.computeIfAbsent(partition, p -> new Progress());
        at.read(record.offset());
        inFlight.incrementAndGet();
        long start = System.nanoTime();
        String source = record.topic() + "-" + record.partition() + "@" + record.offset();
        IngestWrites.Parsed parsed = writes.parse(record.value());
        CompletableFuture<Void> published;
        if (parsed instanceof IngestWrites.Malformed malformed) {
            published = malformed(malformed, record, source, start);
        } else {
            IngestWrites.Valid valid = (IngestWrites.Valid) parsed;
            CompletableFuture<Void> ready = new CompletableFuture<>();
            CompletableFuture<Void> previous = documents.put(valid.document(), ready);
            CompletableFuture<Void> after = previous == null ? CompletableFuture.completedFuture(null)
                    : previous.exceptionally(e -> null);
            published = after.thenCompose(ignored -> attempt(valid, start, FIRST_BACKOFF))
                    .thenCompose(reply -> publish(valid, reply, source, start));
            published.whenComplete((ok, error) -> {
                ready.complete(null);
                documents.remove(valid.document(), ready);
            });
        }
        published.whenComplete((ok, error) -> {
            inFlight.decrementAndGet();
            if (error == null) {
                done.add(new Done(partition, at, record.offset()));
            } else if (!closing) {
                LOG.error("ingest request {} not answered; it stays uncommitted and is read again after a rebalance",
                        source, error);
            }
        });
    }

    /** One write of the request, and again while its answer may pass by itself and the budget lasts. */
    private CompletableFuture<Reply> attempt(IngestWrites.Valid valid, long start, Duration backoff) {
        return writes.write(valid).thenCompose(reply -> {
            String code = code(reply);
            boolean within = System.nanoTime() - start < config.ingestRetryBudget().toNanos();
            if (!retriable(reply, code) || !within || closing) {
                return CompletableFuture.completedFuture(reply);
            }
            metrics.retry(ErrorCode.fromWire(code).map(ErrorCode::wireName).orElse("redirect"));
            LOG.debug("ingest request {} of tenant={} key={}: {} {}, again in {} ms", valid.command().writeId(),
                    valid.command().tenant(), valid.command().key(), reply.status(), code, backoff.toMillis());
            CompletableFuture<Void> later = new CompletableFuture<>();
            timer.schedule(() -> later.complete(null), backoff.toMillis(), TimeUnit.MILLISECONDS);
            Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            return later.thenCompose(ignored -> attempt(valid, start, next));
        });
    }

    /**
     * Whether the same write may succeed later: every 503, a redirect still moving, and a placement that changed while
     * the write was in flight (it was not applied; the next try routes on the new placement).
     */
    static boolean retriable(Reply reply, String code) {
        return reply.status() == 503 || reply.status() == 307 || ErrorCode.PLACEMENT_CHANGED.wireName().equals(code);
    }

    private CompletableFuture<Void> publish(IngestWrites.Valid valid, Reply reply, String source, long start) {
        IngestResult result = result(valid.request().requestId(), valid.command().tenant(), valid.command().key(),
                valid.request().op(), reply, source);
        Outcome outcome = result.accepted() ? Outcome.ACCEPTED : Outcome.REJECTED;
        if (!result.accepted()) {
            LOG.info("ingest request {} of tenant={} key={} rejected: {} {}", result.requestId(), result.tenant(),
                    result.key(), result.httpStatus(), result.code());
        }
        return send(Topics.INGEST_RESULTS.name(), result.requestId(), Json.write(result))
                .thenRun(() -> metrics.request(outcome, Duration.ofNanos(System.nanoTime() - start)));
    }

    private CompletableFuture<Void> malformed(IngestWrites.Malformed malformed, ConsumerRecord<String, byte[]> record,
                                              String source, long start) {
        IngestResult result = result(malformed.requestId(), malformed.tenant(), malformed.key(), malformed.op(),
                malformed.reason(), source);
        DeadLetter letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), config.region(),
                DeadLetter.Code.INVALID_REQUEST, result.code() + ": " + result.message(), record.value(),
                record.timestamp());
        LOG.warn("ingest request {} sent to {}: {} ({}) requestId={} tenant={}", source, Topics.DLQ.name(),
                result.code(), result.message(), malformed.requestId(), malformed.tenant());
        // Keyed by the request id when it could be read, else by where the request is: its sender can find it.
        String key = malformed.requestId() != null && !malformed.requestId().isEmpty() ? malformed.requestId()
                : source;
        return CompletableFuture.allOf(
                        send(Topics.DLQ.name(), letter.source(), Topics.DLQ.valueSerde().serializer()
                                .serialize(Topics.DLQ.name(), letter)),
                        send(Topics.INGEST_RESULTS.name(), key, Json.write(result)))
                .thenRun(() -> metrics.request(Outcome.MALFORMED, Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Sends, and again every second while Kafka refuses, until acknowledged or closing. */
    private CompletableFuture<Void> send(String topic, String key, byte[] value) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error == null) {
                    sent.complete(null);
                } else if (closing) {
                    sent.completeExceptionally(error);
                } else {
                    LOG.warn("ingest outcome for {} not published to {} ({}); again in 1 s", key, topic,
                            error.toString());
                    timer.schedule(() -> send(topic, key, value).whenComplete((ok, again) -> {
                        if (again == null) {
                            sent.complete(null);
                        } else {
                            sent.completeExceptionally(again);
                        }
                    }), 1, TimeUnit.SECONDS);
                }
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);  // closed while closing
        }
        return sent;
    }

    /** The outcome of a request from the HTTP API's answer to its write. */
    private IngestResult result(String requestId, String tenant, String key, String op, Reply reply, String source) {
        JsonNode body = body(reply);
        long now = clock.millis();
        if (reply.status() == 200 || reply.status() == 201) {
            Map<String, Object> details = new LinkedHashMap<>();
            if (body.path("superseded").asBoolean(false)) {
                details.put("superseded", true);
                details.put("current", body.path("current").asText());
            }
            return new IngestResult(requestId, tenant, key, op, IngestResult.ACCEPTED, reply.status(),
                    body.path("position").asText(null), body.path("epoch").asLong(0), body.path("region").asText(null), null,
                    null, details, source, node, now);
        }
        JsonNode error = body.path("error");
        Map<String, Object> details = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = error.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals("code") && !field.getKey().equals("message")) {
                details.put(field.getKey(), Json.MAPPER.convertValue(field.getValue(), Object.class));
            }
        }
        String code = error.path("code").asText(ErrorCode.INTERNAL.wireName());
        String message = error.path("message").asText("the write was answered " + reply.status());
        return new IngestResult(requestId, tenant, key, op, IngestResult.REJECTED, reply.status(), null, 0, null,
                code, message, details, source, node, now);
    }

    private static String code(Reply reply) {
        return body(reply).path("error").path("code").asText("");
    }

    private static JsonNode body(Reply reply) {
        try {
            return Json.readTree(reply.body());
        } catch (RuntimeException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    /** Moves answered offsets into their partitions' progress; on the poll thread. */
    private boolean drainDone() {
        boolean any = false;
        for (Done d = done.poll(); d != null; d = done.poll()) {
            // A partition revoked (and maybe assigned again) since: its old progress is gone, the offset too.
            if (progress.get(d.partition()) == d.progress()) {
                d.progress().answered(d.offset());
                any = true;
            }
        }
        return any;
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, at) -> at.committable(sync).ifPresent(offset ->
                offsets.put(partition, new OffsetAndMetadata(offset))));
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    LOG.debug("ingest commit failed ({}); the next one covers it", error.toString());
                }
            });
        }
        offsets.forEach((partition, offset) -> progress.get(partition).committed(offset.offset()));
    }

    /** Stops reading and leaves the group; requests in flight are not answered here but read again elsewhere. */
    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        closing = true;
        try {
            if (lifecycle.hasStarted()) {
                consumer.wakeup();
                pollThread.join(Duration.ofSeconds(15).toMillis());
            } else {
                consumer.close(Duration.ZERO);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
            producer.close(Duration.ofSeconds(5));
            consumerMetrics.close();
            lifecycle.closed();
            LOG.info("ingest consumer stopped node={}", node);
        }
    }

    /** Offsets of one assigned partition: read, answered; what may be committed. Poll thread only. */
    private static final class Progress {
        private final TreeSet<Long> open = new TreeSet<>();
        private long next = -1;
        private long lastCommitted = -1;

        void read(long offset) {
            open.add(offset);
            next = Math.max(next, offset + 1);
        }

        void answered(long offset) {
            open.remove(offset);
        }

        /**
         * The offset to commit: the first request not answered, or past the last read; empty when nothing was read, or
         * (unless {@code again}: a last, synchronous commit after asynchronous ones that may have failed) unchanged.
         */
        java.util.OptionalLong committable(boolean again) {
            long offset = open.isEmpty() ? next : open.first();
            return offset >= 0 && (again || offset > lastCommitted) ? java.util.OptionalLong.of(offset)
                    : java.util.OptionalLong.empty();
        }

        void committed(long offset) {
            lastCommitted = offset;
        }
    }

    private record Done(TopicPartition partition, Progress progress, long offset) {
    }

    /** Commits what is answered before partitions go, and forgets their progress. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drainDone();
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.warn("ingest commit on revocation failed ({}); those requests will be read again", e.toString());
            }
            partitions.forEach(progress::remove);
            assigned.removeAll(partitions);
            LOG.info("ingest partitions revoked node={}: {}", node, partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(progress::remove);
            assigned.removeAll(partitions);
            LOG.warn("ingest partitions lost node={}: {}", node, partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            LOG.info("ingest partitions assigned node={}: {}", node, partitions);
        }
    }
}
