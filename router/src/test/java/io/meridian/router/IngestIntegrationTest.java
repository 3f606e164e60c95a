package io.meridian.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.IngestConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.model.IngestRequest;
import io.meridian.infra.model.IngestResult;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.Topics;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code meridian.ingest} end to end on the shared real Kafka cluster: two regions' nodes (us-east, eu-west, over the
 * regions' shared appliers), each with its ingest consumer in one consumer group, and a service producing requests with
 * a partitioner that is not murmur2 ({@link RoundRobinPartitioner}: a tenant's requests land on every partition, so
 * both regions' nodes read requests of tenants whose primary is the other region). Outcomes are read back from
 * {@code meridian.ingest-results}, the WAL and the documents from Kafka and the HTTP API. Every test uses its own
 * tenants.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IngestIntegrationTest {
    private static final String TOKEN = "ingest-token";
    private static final Deque<AutoCloseable> RESOURCES = new ArrayDeque<>();
    private static final Map<String, String> URLS = new LinkedHashMap<>();
    private static final Map<String, TestNode> NODES = new LinkedHashMap<>();
    private static final List<IngestService> INGEST = new CopyOnWriteArrayList<>();
    /** Every outcome read from meridian.ingest-results, by record key (the request id, or the source). */
    private static final Map<String, List<IngestResult>> RESULTS = new ConcurrentHashMap<>();
    private static final Duration OUTCOME_WAIT = Duration.ofSeconds(90);

    private static TestCluster cluster;
    private static KafkaProducer<String, byte[]> service;
    private static volatile boolean reading = true;

    @BeforeAll
    static void start() {
        cluster = SharedRegions.cluster();
        URLS.put("us-east", "http://127.0.0.1:" + RouterHarness.freePort());
        URLS.put("eu-west", "http://127.0.0.1:" + RouterHarness.freePort());
        String group = cluster.uniqueName("ingest-it");
        for (String region : URLS.keySet()) {
            Map<String, Object> values = TestNode.settings(region, TestNode.regions(URLS),
                    URI.create(URLS.get(region)).getPort(), TOKEN);
            values.put(MeridianConfig.NODE_ID, region + "-ingest-it");
            values.put(IngestConfigs.INGEST_GROUP_ID, group);
            values.put(RouterConfigs.WRITE_PAUSE_BUDGET_MS, "1000");
            TestNode node = TestNode.onSharedApplier(new MeridianConfig(values), region.equals("us-east")
                    ? TestNode::controller : self -> TestNode.follower(self, URLS.get("us-east")));
            RESOURCES.push(node);
            NODES.put(region, node);
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> NODES.values().stream().allMatch(TestNode::ready));
        NODES.values().forEach(node -> INGEST.add(node.startIngest()));

        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        // Not Kafka's default murmur2: the same tenant's requests go to every partition in turn.
        props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        service = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        RESOURCES.push(service::close);
        Thread reader = new Thread(IngestIntegrationTest::readResults, "ingest-it-results");
        reader.setDaemon(true);
        reader.start();
        RESOURCES.push(() -> reading = false);
    }

    @AfterAll
    static void stop() {
        TestNode.closeAll(RESOURCES);
    }

    // ---- the tests

    @Test
    void shouldWriteRequestsFromAnyPartitionThroughEachTenantsPrimary() {
        String east = place(cluster.uniqueName("ie"), "us-east");
        String west = place(cluster.uniqueName("iw"), "eu-west");
        Map<String, IngestRequest> requests = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            for (String tenant : List.of(east, west)) {
                IngestRequest request = IngestRequest.put(tenant + "-r" + i, tenant, "k" + i,
                        RawJson.parse("{\"n\":" + i + "}"));
                requests.put(request.requestId(), request);
            }
        }
        // Both nodes read some partitions (the group may still be rebalancing after an earlier test).
        await().atMost(Duration.ofSeconds(60)).until(() -> INGEST.stream().allMatch(i -> i.assignedPartitions() > 0)
                && INGEST.stream().mapToInt(IngestService::assignedPartitions).sum() == Topics.INGEST.partitions());
        Set<Integer> partitions = new HashSet<>();
        long start = System.nanoTime();
        requests.values().forEach(request -> partitions.add(produce(request.tenant(), request).partition()));
        assertTrue(partitions.size() > 1, "round robin spreads a tenant over partitions: " + partitions);

        for (IngestRequest request : requests.values()) {
            IngestResult result = awaitOutcome(request.requestId());
            assertTrue(result.accepted(), () -> "outcome " + result);
            String primary = request.tenant().equals(east) ? "us-east" : "eu-west";
            assertEquals(primary, result.region(), "written in the tenant's primary region");
            assertEquals(201, result.httpStatus());
            assertEquals(request.tenant(), result.tenant());
            assertEquals(request.key(), result.key());
            assertNotNull(result.position());
        }
        System.out.printf("ingest: %d requests produced one by one and answered in %d ms%n", requests.size(),
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        // Both nodes took requests of the tenant whose primary is the other region: nothing is read twice.
        Set<String> nodes = requests.keySet().stream().map(id -> RESULTS.get(id).get(0).node())
                .collect(Collectors.toSet());
        assertEquals(Set.of("us-east-ingest-it", "eu-west-ingest-it"), nodes, "both nodes of the group took requests");
        for (String tenant : List.of(east, west)) {
            List<WalRecord.DataRecord> wal = SharedRegions.dataRecords(tenant);
            assertEquals(12, wal.size(), "each request is one WAL record: " + wal);
            assertEquals(12, wal.stream().map(WalRecord.DataRecord::writeId).distinct().count());
        }
        IngestResult last = RESULTS.get(west + "-r11").get(0);
        HttpResponse<String> read = TestNode.send("GET", URLS.get("us-east") + "/v1/tenants/" + west + "/docs/k11",
                null, Duration.ofSeconds(30), "X-Meridian-Min-Position", last.position());
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("{\"n\":11}", read.body());
    }

    @Test
    void shouldRejectAMalformedRequestWithTheReasonAndADeadLetterAndGoOn() {
        String tenant = place(cluster.uniqueName("im"), "us-east");
        RecordMetadata notJson = produceRaw(tenant, "{\"requestId\": \"x\", oops".getBytes(StandardCharsets.UTF_8));
        String badOp = tenant + "-bad-op";
        produceRaw(tenant, ("{\"requestId\":\"" + badOp + "\",\"tenant\":\"" + tenant
                + "\",\"key\":\"k\",\"op\":\"upsert\",\"value\":1}").getBytes(StandardCharsets.UTF_8));
        String badTenant = tenant + "-bad-tenant";
        produceRaw(tenant, ("{\"requestId\":\"" + badTenant + "\",\"tenant\":\"Not A Tenant\",\"key\":\"k\","
                + "\"op\":\"put\",\"value\":1}").getBytes(StandardCharsets.UTF_8));
        String good = tenant + "-good";
        produce(tenant, IngestRequest.put(good, tenant, "k", RawJson.parse("{\"ok\":true}")));

        String source = Topics.INGEST.name() + "-" + notJson.partition() + "@" + notJson.offset();
        IngestResult unreadable = awaitOutcome(source);
        assertEquals(IngestResult.REJECTED, unreadable.status());
        assertEquals("malformed_json", unreadable.code());
        assertEquals(400, unreadable.httpStatus());
        assertEquals(source, unreadable.source());
        IngestResult op = awaitOutcome(badOp);
        assertEquals("invalid_ingest_request", op.code(), op.message());
        assertTrue(op.message().contains("upsert"), op.message());
        assertEquals(tenant, op.tenant());
        assertEquals("invalid_tenant", awaitOutcome(badTenant).code());
        assertTrue(awaitOutcome(good).accepted(), "the consumer goes on after malformed requests");

        List<DeadLetter> letters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            letters.addAll(deadLetters(source));
            return !letters.isEmpty();
        });
        assertEquals(1, letters.size(), "one dead letter of the unreadable request: " + letters);
        DeadLetter letter = letters.get(0);
        assertEquals(DeadLetter.Code.INVALID_REQUEST, letter.code());
        assertTrue(letter.reason().startsWith("malformed_json"), letter.reason());
        assertEquals(1, SharedRegions.dataRecords(tenant).size(), "only the good request reached the WAL");
    }

    @Test
    void shouldApplyARequestIdOnceAndAnswerLikeTheHttpApi() {
        String tenant = place(cluster.uniqueName("id"), "eu-west");
        IngestRequest first = IngestRequest.put(tenant + "-once", tenant, "k", RawJson.parse("{\"v\":1}"));
        produce(tenant, first);
        IngestResult accepted = awaitOutcome(first.requestId());
        assertTrue(accepted.accepted(), accepted::toString);

        produce(tenant, first);  // the same request again: a service retrying, or the topic read twice
        IngestResult again = awaitOutcomes(first.requestId(), 2).get(1);
        assertTrue(again.accepted(), again::toString);
        assertEquals(accepted.position(), again.position(), "a duplicate is answered with the first write's position");

        produce(tenant, IngestRequest.put(first.requestId(), tenant, "k", RawJson.parse("{\"v\":2}")));
        IngestResult reused = awaitOutcomes(first.requestId(), 3).get(2);
        assertEquals("idempotency_key_reused", reused.code(), reused::toString);
        assertEquals(422, reused.httpStatus());

        String create = tenant + "-create";
        produce(tenant, IngestRequest.put(create, tenant, "k", RawJson.parse("{\"v\":3}"))
                .withIfMatch(WalRecord.ABSENT));
        IngestResult precondition = awaitOutcome(create);
        assertEquals("precondition_failed", precondition.code(), precondition::toString);
        assertEquals(412, precondition.httpStatus());
        assertEquals(accepted.position(), precondition.details().get("current"));

        HttpResponse<String> read = TestNode.send("GET", URLS.get("eu-west") + "/v1/tenants/" + tenant + "/docs/k",
                null, Duration.ofSeconds(30));
        assertEquals("{\"v\":1}", read.body(), "applied once, and nothing else applied");
        assertEquals(accepted.position(), read.headers().firstValue("X-Meridian-Position").orElseThrow());
    }

    @Test
    void shouldHoldARequestDuringAMigrationAndWriteItInTheNewPrimary() {
        String tenant = place(cluster.uniqueName("mg"), "us-east");
        IngestRequest before = IngestRequest.put(tenant + "-before", tenant, "a", RawJson.parse("1"));
        produce(tenant, before);
        assertEquals("us-east", awaitOutcome(before.requestId()).region());

        Placement paused = RouterHarness.placement(tenant, "us-east", List.of("us-east", "eu-west"), 2,
                WriteState.PAUSED);
        commit(paused);
        IngestRequest during = IngestRequest.put(tenant + "-during", tenant, "b", RawJson.parse("2"));
        produce(tenant, during);
        // Held (and retried past the pause budget) while paused: no outcome, nothing in the WAL.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> !RESULTS.containsKey(during.requestId()));
        Placement switched = RouterHarness.placement(tenant, "eu-west", List.of("us-east", "eu-west"), 3,
                WriteState.ACTIVE);
        commit(switched);

        IngestResult result = awaitOutcome(during.requestId());
        assertTrue(result.accepted(), result::toString);
        assertEquals("eu-west", result.region(), "the request followed the tenant to its new primary");
        assertEquals(3L, result.epoch());
        List<WalRecord.DataRecord> wal = SharedRegions.dataRecords(tenant);
        List<WalRecord.DataRecord> accepted = wal.stream()
                .filter(r -> r.writeId().equals(during.requestId()) && r.epoch() == 3).toList();
        assertEquals(1, accepted.size(), "written once in the new primary: " + wal);
        assertEquals("eu-west", accepted.get(0).region());
        assertTrue(wal.stream().noneMatch(r -> r.writeId().equals(during.requestId()) && r.epoch() == 1),
                "nothing written under the old epoch after the pause");
    }

    @Test
    void shouldAnswerEveryRequestOnceAppliedWhenANodeLeavesTheGroup() throws Exception {
        // A third member of the group, closed while requests flow: what it read and did not answer is read again.
        Map<String, Object> values = TestNode.settings("us-east", TestNode.regions(URLS), RouterHarness.freePort(),
                TOKEN);
        values.put(MeridianConfig.NODE_ID, "us-east-ingest-leaver");
        values.put(IngestConfigs.INGEST_GROUP_ID, NODES.get("us-east").config().ingestGroupId());
        TestNode leaver = TestNode.onSharedApplier(new MeridianConfig(values),
                self -> TestNode.follower(self, URLS.get("us-east")));
        try {
            leaver.startIngest();
            String tenant = place(cluster.uniqueName("lv"), "us-east");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                IngestRequest request = IngestRequest.put(tenant + "-" + i, tenant, "k" + (i % 6),
                        RawJson.parse(Integer.toString(i)));
                ids.add(request.requestId());
                produce(tenant, request);
                if (i == 20) {
                    await().atMost(OUTCOME_WAIT).until(() -> RESULTS.containsKey(ids.get(0)));
                    leaver.close();
                }
            }
            Map<String, String> positions = new HashMap<>();
            for (String id : ids) {
                IngestResult result = awaitOutcome(id);
                assertTrue(result.accepted(), result::toString);
                RESULTS.get(id).forEach(r -> assertEquals(result.position(), r.position(),
                        "every outcome of a request names its one write: " + RESULTS.get(id)));
                positions.put(id, result.position());
            }
            // Each request took effect once: the WAL may hold a re-read request twice, but one position is its write.
            List<SharedRegions.WalEntry> wal = SharedRegions.walEntries(tenant);
            Set<String> effective = new HashSet<>(positions.values());
            assertEquals(ids.size(), effective.size(), "one write per request");
            assertTrue(wal.stream().filter(e -> e.record() instanceof WalRecord.DataRecord)
                    .map(e -> e.position().toString()).collect(Collectors.toSet()).containsAll(effective));
        } finally {
            leaver.close();
        }
    }

    @Test
    void shouldTakeRequestsFromAPythonProducerWithLibrdkafkasDefaultPartitioner() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python) && run(List.of(python.toString(), "-c",
                "import confluent_kafka"), null) == 0, "needs Debian's python3-confluent-kafka (.ci/run installs it)");
        String tenant = place(cluster.uniqueName("py"), "eu-west");
        // librdkafka hashes keys with CRC32 (consistent_random), not murmur2: the tenant lands on other partitions.
        String script = String.join("\n",
                "import sys, json",
                "from confluent_kafka import Producer",
                "bootstrap, tenant = sys.argv[1], sys.argv[2]",
                "p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all'})",
                "for i in range(5):",
                "    request = {'requestId': tenant + '-py' + str(i), 'tenant': tenant, 'key': 'k' + str(i),",
                "               'op': 'put', 'value': {'from': 'python', 'i': i}}",
                "    p.produce('" + Topics.INGEST.name() + "', key=tenant, value=json.dumps(request))",
                "p.produce('" + Topics.INGEST.name() + "', key=tenant, value=json.dumps({'requestId': tenant + '-py-del',"
                        + " 'tenant': tenant, 'key': 'k0', 'op': 'delete'}))",
                "sys.exit(0 if p.flush(30) == 0 else 1)");
        assertEquals(0, run(List.of(python.toString(), "-c", script, cluster.bootstrapServers(), tenant), null),
                "the Python producer sent its requests");

        for (int i = 0; i < 5; i++) {
            IngestResult result = awaitOutcome(tenant + "-py" + i);
            assertTrue(result.accepted(), result::toString);
            assertEquals("eu-west", result.region());
        }
        IngestResult deleted = awaitOutcome(tenant + "-py-del");
        assertEquals(200, deleted.httpStatus(), deleted::toString);
        HttpResponse<String> read = TestNode.send("GET", URLS.get("eu-west") + "/v1/tenants/" + tenant + "/docs/k4",
                null, Duration.ofSeconds(30), "X-Meridian-Min-Position", RESULTS.get(tenant + "-py4").get(0).position());
        assertEquals("{\"from\":\"python\",\"i\":4}", read.body());
    }

    @Test
    void shouldTakeTheDocumentedKcatExample() throws Exception {
        Assumptions.assumeTrue(run(List.of("kcat", "-V"), null) == 0, "needs kcat (Debian's kafkacat; .ci/run installs it)");
        String tenant = place(cluster.uniqueName("kc"), "us-east");
        // As in router/API.md: one request per line, the tenant as the key (any key would do).
        String line = tenant + ":{\"requestId\":\"" + tenant + "-kcat-1\",\"tenant\":\"" + tenant
                + "\",\"key\":\"order-42\",\"op\":\"put\",\"value\":{\"total\":12}}\n";
        assertEquals(0, run(List.of("kcat", "-P", "-b", cluster.bootstrapServers(), "-t", Topics.INGEST.name(), "-K",
                ":"), line), "kcat produced the request");

        IngestResult result = awaitOutcome(tenant + "-kcat-1");
        assertTrue(result.accepted(), result::toString);
        assertEquals("us-east", result.region());
    }

    // ---- helpers

    /** Runs {@code command} with {@code stdin} (may be null), waiting up to a minute; its exit code (-1: no such program). */
    private static int run(List<String> command, String stdin) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** A tenant with primary {@code primary}, replicated to both regions, epoch 1, visible in both regions. */
    private static String place(String tenant, String primary) {
        commit(RouterHarness.placement(tenant, primary, List.of("us-east", "eu-west"), 1, WriteState.ACTIVE));
        return tenant;
    }

    /** Commits {@code placement} as the controller does and waits until both regions show it. */
    private static void commit(Placement placement) {
        SharedRegions.controllerLog().commit(placement, "ingest test");
        URLS.keySet().forEach(region -> SharedRegions.awaitVisible(region, placement));
    }

    private static RecordMetadata produce(String key, IngestRequest request) {
        return produceRaw(key, Json.write(request));
    }

    private static RecordMetadata produceRaw(String key, byte[] value) {
        try {
            return service.send(new ProducerRecord<>(Topics.INGEST.name(), key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the ingest request was not produced", e);
        }
    }

    private static IngestResult awaitOutcome(String key) {
        return awaitOutcomes(key, 1).get(0);
    }

    private static List<IngestResult> awaitOutcomes(String key, int count) {
        await().atMost(OUTCOME_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> RESULTS.getOrDefault(key, List.of()).size() >= count);
        return RESULTS.get(key);
    }

    /** Reads meridian.ingest-results from the start into {@link #RESULTS}, until the class ends. */
    private static void readResults() {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INGEST_RESULTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (reading) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    IngestResult result = Topics.INGEST_RESULTS.valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    RESULTS.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(result);
                }
            }
        }
    }

    /** The dead letters on meridian.dlq of the original at {@code source}. */
    private static List<DeadLetter> deadLetters(String source) {
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<DeadLetter> letters = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DLQ.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (source.equals(record.key())) {
                        letters.add(Topics.DLQ.valueSerde().deserializer().deserialize(record.topic(),
                                record.value()));
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return letters;
    }
}
