package io.meridian.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate watch} and {@code events tail} against the shared real Kafka cluster: migration events produced
 * with the catalog's serde are read back by the command line. Every test uses its own tenant and migration id; the
 * topics are shared with every other test of this JVM, so assertions look only at their own records.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TailIntegrationTest {
    private static TestCluster cluster;
    private static KafkaProducer<String, MigrationEvent> producer;

    @TempDir
    static Path home;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void provision() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2));
        }
        Map<String, Object> config = new HashMap<>(cluster.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(config, Topics.MIGRATIONS.keySerde().serializer(),
                Topics.MIGRATIONS.valueSerde().serializer());
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.close();
        }
    }

    private Cli cli(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers());
        env.putIfAbsent("MERIDIAN_URL", "http://127.0.0.1:1");  // no node: watch's lookup fails and it just tails
        return new Cli(env, home);
    }

    /** A migration's whole life: requested, validated, paused, draining with progress, switched, completed. */
    private static List<MigrationEvent> completedMigration(String tenant, String id) {
        long t = System.currentTimeMillis();
        return List.of(
                new MigrationEvent.Requested(id, tenant, "us-east", "eu-west", 30_000, "test", t),
                changed(id, tenant, MigrationState.VALIDATED, "", "target eu-west is a healthy replica", t + 1),
                changed(id, tenant, MigrationState.WRITES_PAUSED, "3:40", "writes paused", t + 2),
                changed(id, tenant, MigrationState.DRAINING, "", "waiting for eu-west to pass 3:40", t + 3),
                new MigrationEvent.Progress(id, tenant, "3:40", 20, 20, 100.0, 5, t + 4),
                new MigrationEvent.Progress(id, tenant, "3:40", 35, 5, 150.0, 5, t + 5),
                changed(id, tenant, MigrationState.SWITCHED, "3:41", "eu-west is the primary", t + 6),
                changed(id, tenant, MigrationState.COMPLETED, "", "done", t + 7));
    }

    private static MigrationEvent.StateChanged changed(String id, String tenant, MigrationState state, String fence,
                                                       String reason, long timestamp) {
        return new MigrationEvent.StateChanged(id, tenant, state, 2, fence, 5, reason, timestamp);
    }

    private static void produce(List<MigrationEvent> events) {
        try {
            for (MigrationEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.MIGRATIONS.name(), event.tenant(), event)).get(60,
                        TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot produce migration events", e);
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<String> linesWith(Cli.Result result, String text) {
        return result.lines().stream().filter(l -> l.contains(text)).toList();
    }

    @Test
    void watchFromBeginningPrintsTheMigrationsEventsInOrderAndExitsZeroWhenCompleted() {
        String tenant = unique("acme");
        String id = UUID.randomUUID().toString();
        String otherId = UUID.randomUUID().toString();
        produce(completedMigration(tenant, id).subList(0, 4));
        produce(List.of(new MigrationEvent.Requested(otherId, tenant, "us-east", "ap-south", 30_000, "test",
                System.currentTimeMillis())));  // another migration of the tenant: not shown
        produce(completedMigration(tenant, id).subList(4, 8));

        Cli.Result result = cli(Map.of()).run("migrate", "watch", id, "--from-beginning");

        assertEquals(ExitCode.OK, result.exitCode(), result::toString);
        assertTrue(result.lines().get(0).matches("TIME\\s+TENANT\\s+MIGRATION\\s+TYPE\\s+STATE\\s+DETAIL"),
                result::toString);
        List<String> events = linesWith(result, id);
        assertEquals(8, events.size(), result::toString);
        List<String> states = events.stream().map(l -> l.split("\\s+")[4]).toList();
        assertEquals(List.of("requested", "validated", "writes_paused", "draining", "draining", "draining",
                "switched", "completed"), states, result::toString);
        assertTrue(events.get(0).contains("us-east -> eu-west"), result::toString);
        assertTrue(events.get(2).contains("(fence 3:40, epoch 2)"), result::toString);
        assertTrue(events.get(4).contains("[--------------------]   0% 20 entries left, 100.0/s"), result::toString);
        assertTrue(events.get(5).contains("[###############-----]  75% 5 entries left, 150.0/s"), result::toString);
        assertTrue(linesWith(result, otherId).isEmpty(), result::toString);
        assertTrue(events.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\s+" + tenant + "\\s.*"),
                result::toString);
    }

    @Test
    void watchExitsNonZeroWhenTheMigrationFails() {
        String tenant = unique("initech");
        String id = UUID.randomUUID().toString();
        long t = System.currentTimeMillis();
        produce(List.of(new MigrationEvent.Requested(id, tenant, "us-east", "eu-west", 30_000, "test", t),
                changed(id, tenant, MigrationState.VALIDATED, "", "ok", t + 1),
                changed(id, tenant, MigrationState.WRITES_PAUSED, "1:7", "paused", t + 2),
                changed(id, tenant, MigrationState.FAILED, "1:8", "drain timed out after 30 s; rolled back", t + 3)));

        Cli.Result result = cli(Map.of()).run("migrate", "watch", id, "--from-beginning");

        assertEquals(ExitCode.MIGRATION_FAILED, result.exitCode(), result::toString);
        List<String> events = linesWith(result, id);
        assertEquals(4, events.size(), result::toString);
        assertTrue(events.get(3).contains("failed") && events.get(3).contains("drain timed out"), result::toString);
        assertTrue(result.err().contains("migration " + id + " ended failed"), result::toString);
    }

    @Test
    void watchAsJsonPrintsOneEventObjectPerLine() {
        String tenant = unique("hooli");
        String id = UUID.randomUUID().toString();
        produce(completedMigration(tenant, id));

        Cli.Result result = cli(Map.of()).run("migrate", "watch", id, "--tenant", tenant, "--from-beginning",
                "-o", "json");

        assertEquals(ExitCode.OK, result.exitCode(), result::toString);
        List<JsonNode> lines = result.lines().stream().map(l -> Json.readTree(l.getBytes(StandardCharsets.UTF_8)))
                .toList();
        assertEquals(8, lines.size(), result::toString);
        lines.forEach(l -> assertEquals(id, l.path("migrationId").asText(), result::toString));
        assertEquals("requested", lines.get(0).path("type").asText());
        assertEquals(0.75, lines.get(5).path("progress").asDouble(), 1e-9);
        assertEquals("completed", lines.get(7).path("state").asText());
    }

    @Test
    void watchFromTheEndSeesEventsProducedAfterItStarted() throws Exception {
        String tenant = unique("umbrella");
        String id = UUID.randomUUID().toString();
        Cli cli = cli(Map.of());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Cli.Result> watching = CompletableFuture.supplyAsync(() -> cli.run(out, err, "migrate",
                "watch", id));
        // The lookup note is printed once the tail is positioned at the end: from then on nothing is missed.
        await().atMost(Duration.ofSeconds(90)).until(() -> err.toString().contains("watching for its events")
                || watching.isDone());
        produce(completedMigration(tenant, id));

        Cli.Result result = watching.get(90, TimeUnit.SECONDS);
        assertEquals(ExitCode.OK, result.exitCode(), result::toString);
        assertEquals(8, linesWith(result, id).size(), result::toString);
    }

    @Test
    void watchFromTheEndExitsAtOnceWhenTheNodeSaysTheMigrationAlreadyEnded() {
        String id = UUID.randomUUID().toString();
        try (StubNode node = new StubNode()) {
            node.answer("GET", "/admin/migrations/" + id, 200, "{\"id\":\"" + id + "\",\"state\":\"cancelled\"}");
            Cli.Result result = cli(Map.of("MERIDIAN_URL", node.url())).run("migrate", "watch", id);
            assertEquals(ExitCode.MIGRATION_FAILED, result.exitCode(), result::toString);
            assertTrue(result.out().contains("already ended: cancelled"), result::toString);
        }
    }

    @Test
    void eventsTailFromBeginningWithLimitPrintsThatManyRecords() {
        String tenant = unique("stark");
        produce(completedMigration(tenant, UUID.randomUUID().toString()).subList(0, 3));

        Cli.Result result = cli(Map.of()).run("events", "tail", "--topic", "migrations", "--from-beginning",
                "--limit", "3");

        assertEquals(ExitCode.OK, result.exitCode(), result::toString);
        assertEquals(3, result.lines().size(), result::toString);
        for (String line : result.lines()) {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+migrations\\s+\\d+:\\d+\\s+\\S+\\s+\\{.*\\}"), line);
        }
    }

    @Test
    void eventsTailPrintsRecordsItCannotMapWithAPrefix() throws Exception {
        String key = unique("wayne");
        Map<String, Object> config = new HashMap<>(cluster.clientConfig());
        List<byte[]> values = new ArrayList<>();
        values.add("not json at all".getBytes(StandardCharsets.UTF_8));
        values.add("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (byte[] value : values) {
                raw.send(new ProducerRecord<>(Topics.DLQ.name(), 0, key.getBytes(StandardCharsets.UTF_8), value))
                        .get(60, TimeUnit.SECONDS);
            }
        }
        // The one-partition dlq holds only what tests of this JVM wrote: read all of it, ours are last.
        long records;
        try (Admin admin = cluster.admin()) {
            TopicPartition dlq = new TopicPartition(Topics.DLQ.name(), 0);
            records = admin.listOffsets(Map.of(dlq, OffsetSpec.latest())).partitionResult(dlq).get(60,
                    TimeUnit.SECONDS).offset();
        }
        String limit = Long.toString(records);
        Cli.Result table = cli(Map.of()).run("events", "tail", "--topic", "meridian.dlq", "--from-beginning",
                "--limit", limit);
        Cli.Result json = cli(Map.of()).run("events", "tail", "--topic", "dlq", "--from-beginning", "--limit", limit,
                "-o", "json");

        assertEquals(ExitCode.OK, table.exitCode(), table::toString);
        List<String> ours = linesWith(table, key);
        assertEquals(2, ours.size(), table::toString);
        assertTrue(ours.get(0).matches(".*\\sdlq\\s+0:\\d+\\s+" + key + "\\s+!not-json\\(.+\\) not json at all"),
                table::toString);
        assertTrue(ours.get(1).matches(".*\\s" + key + "\\s+!unmapped\\(.+\\) \\{\"hello\":\"world\"}"),
                table::toString);

        assertEquals(ExitCode.OK, json.exitCode(), json::toString);
        List<JsonNode> objects = json.lines().stream().map(l -> Json.readTree(l.getBytes(StandardCharsets.UTF_8)))
                .filter(o -> key.equals(o.path("key").asText())).toList();
        assertEquals(2, objects.size(), json::toString);
        assertEquals("not json at all", objects.get(0).path("raw").asText());
        assertTrue(objects.get(0).path("unreadable").asText().startsWith("not-json: "), json::toString);
        assertEquals("world", objects.get(1).path("value").path("hello").asText());
        assertTrue(objects.get(1).path("unreadable").asText().startsWith("unmapped: "), json::toString);
        assertEquals(Topics.DLQ.name(), objects.get(1).path("topic").asText());
    }
}
