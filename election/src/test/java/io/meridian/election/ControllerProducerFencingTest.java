package io.meridian.election;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.testing.Waits;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A deposed controller that still believes it leads cannot get anything into Kafka. */
@Tag("integration")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ControllerProducerFencingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private TestCluster cluster;
    private Topic<String, JsonNode> topic;
    private String transactionalId;
    private final List<ControllerProducer> producers = new ArrayList<>();
    private final List<String> fencedA = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        cluster = SharedTestCluster.get();
        String name = cluster.uniqueName("election-fencing");
        cluster.createTopic(name, 1, Map.of());
        topic = new Topic<>(name, Serdes.String(), new JsonSerde<>(JsonNode.class), 1, (short) 3, Map.of());
        transactionalId = cluster.uniqueName("meridian-controller");
    }

    @AfterEach
    void closeProducers() {
        producers.forEach(ControllerProducer::close);
    }

    @Test
    void shouldFenceAZombieControllerWhoseNextCommitFails() {
        ControllerProducer a = open(1, () -> true, (epoch, e) -> fencedA.add(epoch + ":" + e.getMessage()));
        a.inTransaction(tx -> tx.send(topic, "leadership", event("a-committed", tx.epoch())));

        // B takes over with the same transactional id; A still believes it leads (its guard says yes).
        ControllerProducer b = open(2, () -> true, (epoch, e) -> {
        });

        ControllerFencedException fenced = assertThrows(ControllerFencedException.class,
                () -> a.inTransaction(tx -> tx.send(topic, "leadership", event("a-after-fencing", tx.epoch()))));
        assertEquals(1, fenced.epoch());
        assertTrue(causedBy(fenced, ProducerFencedException.class), "cause chain of " + fenced);
        assertTrue(a.isFenced());
        assertEquals(1, fencedA.size(), "the fencing callback fires once: " + fencedA);
        assertTrue(fencedA.get(0).startsWith("1:"), fencedA.toString());

        // Later attempts fail at once and do not report again.
        assertThrows(ControllerFencedException.class, () -> a.inTransaction(tx -> tx.send(topic, "x",
                event("a-later", tx.epoch()))));
        assertEquals(1, fencedA.size());

        b.inTransaction(tx -> tx.send(topic, "leadership", event("b-committed", tx.epoch())));

        List<ConsumerRecord<String, byte[]>> committed = readAll("read_committed", "b-committed");
        assertEquals(List.of("a-committed", "b-committed"), names(committed));
        assertEquals(List.of(1L, 2L), committed.stream().map(r -> ControllerProducer.epochOf(r.headers())
                .orElseThrow()).toList(), "every record carries its controller epoch");
        assertEquals(List.of(1L, 2L), committed.stream().map(r -> Json.readTree(r.value()).get("epoch").asLong())
                .toList(), "and callers can put it in the payload");
    }

    @Test
    void shouldAbortTheZombiesOpenTransactionWhenTheNewControllerStarts() {
        ControllerProducer a = open(1, () -> true, (epoch, e) -> fencedA.add(epoch + ":" + e.getMessage()));
        List<ControllerProducer> b = new ArrayList<>();
        ControllerFencedException fenced = assertThrows(ControllerFencedException.class, () -> a.inTransaction(tx -> {
            // In the log (uncommitted) before the new controller starts.
            acked(tx.send(topic, "leadership", event("a-in-flight", tx.epoch())));
            // The new controller takes over while A's transaction is open.
            b.add(open(2, () -> true, (epoch, e) -> {
            }));
            tx.send(topic, "leadership", event("a-in-flight-2", tx.epoch()));
        }));
        assertTrue(causedBy(fenced, ProducerFencedException.class), "cause chain of " + fenced);
        assertEquals(1, fencedA.size());
        b.get(0).inTransaction(tx -> tx.send(topic, "leadership", event("b-committed", tx.epoch())));

        assertEquals(List.of("b-committed"), names(readAll("read_committed", "b-committed")));
        // The zombie's record did reach the log, aborted: read_uncommitted shows it, read_committed never does.
        assertTrue(names(readAll("read_uncommitted", "b-committed")).contains("a-in-flight"));
    }

    @Test
    void shouldStopWritingAsSoonAsTheElectorSaysItNoLongerLeads() {
        AtomicBoolean leads = new AtomicBoolean(true);
        ControllerProducer a = open(7, leads::get, (epoch, e) -> fencedA.add(epoch + ":" + e.getMessage()));
        a.inTransaction(tx -> tx.send(topic, "k", event("while-leading", tx.epoch())));
        leads.set(false);
        ControllerFencedException e = assertThrows(ControllerFencedException.class,
                () -> a.inTransaction(tx -> tx.send(topic, "k", event("after-deposed", tx.epoch()))));
        assertTrue(e.getMessage().contains("no longer leads"), e.getMessage());
        assertEquals(List.of("7:" + e.getMessage()), fencedA);
        assertEquals(List.of("while-leading"), names(readAll("read_uncommitted", "while-leading")));
    }

    @Test
    void shouldAbortAndRethrowWhenTheCallerFails() {
        ControllerProducer a = open(3, () -> true, (epoch, e) -> fencedA.add("unexpected"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.inTransaction(tx -> {
            tx.send(topic, "k", event("half-done", tx.epoch()));
            throw new IllegalArgumentException("cannot build the next record");
        }));
        assertEquals("cannot build the next record", e.getMessage());
        assertFalse(a.isFenced());
        a.inTransaction(tx -> tx.send(topic, "k", event("retried", tx.epoch())));
        assertEquals(List.of("retried"), names(readAll("read_committed", "retried")));
        assertTrue(fencedA.isEmpty());
    }

    @Test
    void shouldRefuseToOpenForANodeThatDoesNotLead() {
        LeaderElector notLeading = LeaderElectors.create(ElectionConfigs.BACKEND_KAFKA,
                new ElectionCandidate("x", "us-east", "", 0),
                ElectionSettings.builder().kafkaClientProperties(cluster.clientConfig()).build());
        ControllerFencedException e = assertThrows(ControllerFencedException.class, () -> ControllerProducer
                .forLeader(notLeading, cluster.clientConfig(), transactionalId, TIMEOUT, (epoch, f) -> {
                }));
        assertTrue(e.getMessage().contains("does not lead"), e.getMessage());
        notLeading.close();
    }

    private ControllerProducer open(long epoch, java.util.function.BooleanSupplier leads,
                                    ControllerProducer.FencingListener onFenced) {
        ControllerProducer p = new ControllerProducer(cluster.clientConfig(), transactionalId, epoch, leads, TIMEOUT,
                onFenced);
        producers.add(p);
        return p;
    }

    private static void acked(Future<RecordMetadata> send) {
        try {
            send.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    private static JsonNode event(String name, long epoch) {
        return Json.toTree(Map.of("event", name, "epoch", epoch));
    }

    private static List<String> names(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> Json.readTree(r.value()).get("event").asText()).toList();
    }

    /** Everything in the topic, read from the start until {@code lastEvent} shows up. */
    private List<ConsumerRecord<String, byte[]>> readAll(String isolation, String lastEvent) {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition p0 = new TopicPartition(topic.name(), 0);
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            Waits.within(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
                return names(out).contains(lastEvent);
            });
            // Anything after the last expected record (there should be nothing) shows up in a final poll.
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (causedBy(s, type)) {
                    return true;
                }
            }
        }
        return false;
    }
}
