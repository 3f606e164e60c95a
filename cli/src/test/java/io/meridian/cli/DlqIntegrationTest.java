package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.DeadLetter;
import io.meridian.infra.serde.Json;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meridianctl dlq list|show|replay} against dead letters in {@code meridian.dlq} of the shared real Kafka
 * cluster, replaying through stub nodes (a non-primary that redirects, the primary that takes the write). Each test has
 * its own tenant; the topic is shared, so assertions look only at their own records.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DlqIntegrationTest {
    private static TestCluster cluster;

    @TempDir
    Path home;

    private final String tenant = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
    private StubNode replica;
    private StubNode primary;
    private long readable;
    private long unreadable;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void provision() {
        cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2));
        }
    }

    @BeforeEach
    void deadLetters() throws Exception {
        replica = new StubNode();
        primary = new StubNode();
        String put = "{\"type\":\"put\",\"tenant\":\"" + tenant + "\",\"key\":\"order-1\",\"value\":{\"n\":1},"
                + "\"epoch\":9,\"region\":\"us-east\",\"hlc\":1,\"writeId\":\"w-1\"}";
        Map<String, Object> config = new HashMap<>(cluster.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, DeadLetter> producer = new KafkaProducer<>(config,
                Topics.DLQ.keySerde().serializer(), Topics.DLQ.valueSerde().serializer())) {
            DeadLetter ahead = DeadLetter.of("meridian.wal", 3, 42, "eu-west", DeadLetter.Code.EPOCH_AHEAD,
                    "epoch 9 is ahead of the fence's 4 for " + tenant, put.getBytes(StandardCharsets.UTF_8),
                    System.currentTimeMillis());
            readable = producer.send(new ProducerRecord<>(Topics.DLQ.name(), ahead.source(), ahead)).get(60,
                    TimeUnit.SECONDS).offset();
            DeadLetter broken = DeadLetter.of("meridian.wal", 3, 43, "eu-west", DeadLetter.Code.UNREADABLE,
                    "not JSON", ("{\"tenant\":\"" + tenant + "\",broken").getBytes(StandardCharsets.UTF_8),
                    System.currentTimeMillis());
            unreadable = producer.send(new ProducerRecord<>(Topics.DLQ.name(), broken.source(), broken)).get(60,
                    TimeUnit.SECONDS).offset();
        }
    }

    @AfterEach
    void stop() {
        replica.close();
        primary.close();
    }

    private Cli cli() {
        return new Cli(Map.of("MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(),
                "MERIDIAN_URL", replica.url(), "MERIDIAN_ADMIN_TOKEN", "secret"), home);
    }

    @Test
    void listShowsWhereEachDeadLetterCameFromAndItsTenant() throws Exception {
        Path clientConfig = home.resolve("client.properties");
        Files.writeString(clientConfig, "client.id=meridianctl-dlq-test\n");
        Cli.Result result = cli().run("--command-config", clientConfig.toString(), "dlq", "list", "--tenant", tenant);
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, result.lines().size(), "header, one row, the hint: " + result);
        assertTrue(result.lines().get(1).matches(readable + "\\s+.*eu-west\\s+epoch_ahead\\s+meridian.wal-3@42\\s+"
                + tenant + "\\s+order-1\\s+epoch 9.*"), result::toString);

        Cli.Result json = cli().run("-o", "json", "dlq", "list", "--code", "unreadable");
        JsonNode mine = null;
        for (JsonNode letter : Json.readTree(json.out().getBytes(StandardCharsets.UTF_8)).path("deadLetters")) {
            if (letter.path("id").asLong() == unreadable) {
                mine = letter;
            }
        }
        assertTrue(mine != null && mine.at("/payload/text").asText().contains("broken"), json::toString);
    }

    @Test
    void showDecodesThePayloadAndSaysWhyItCannotBeRead() {
        Cli.Result shown = cli().run("dlq", "show", Long.toString(readable));
        assertEquals(0, shown.exitCode(), shown::toString);
        assertTrue(shown.out().matches("(?s).*reason:\\s+epoch 9 is ahead.*"), shown::toString);
        assertTrue(shown.out().matches("(?s).*tenant:\\s+" + tenant + ".*"), shown::toString);
        assertTrue(shown.out().contains("\"n\" : 1"), "the payload, decoded: " + shown);

        Cli.Result broken = cli().run("dlq", "show", Long.toString(unreadable));
        assertTrue(broken.out().matches("(?s).*readable:\\s+no: .*"), broken::toString);
        assertTrue(broken.out().contains(",broken"), broken::toString);

        Cli.Result missing = cli().run("dlq", "show", "999999999");
        assertEquals(ExitCode.SERVER_ERROR, missing.exitCode(), missing::toString);
    }

    @Test
    void replayWritesOnceThroughTheWritePathWithAKeyDerivedFromTheDeadLetter() {
        String path = "/v1/tenants/" + tenant + "/docs/order-1";
        replica.answer("PUT", path, 307, "{\"error\":{\"code\":\"not_primary\",\"message\":\"to us-east\"}}",
                Map.of("Location", primary.url() + path));
        primary.answer("PUT", path, 201, "{\"tenant\":\"" + tenant + "\",\"key\":\"order-1\",\"position\":\"3:77\"}");

        Cli.Result first = cli().run("dlq", "replay", Long.toString(readable), "--yes");
        assertEquals(0, first.exitCode(), first::toString);
        Cli.Result second = cli().run("dlq", "replay", Long.toString(readable), "--yes");
        assertEquals(0, second.exitCode(), second::toString);

        List<StubNode.Request> writes = primary.requests();
        assertEquals(2, writes.size(), writes.toString());
        for (StubNode.Request write : writes) {
            assertEquals("dlq-meridian.wal-3@42", write.idempotencyKey(), "the same key: the node applies it once");
            assertEquals(Json.readTree("{\"n\":1}".getBytes()), Json.readTree(write.body().getBytes()));
        }
        assertTrue(first.out().contains("3:77"), first::toString);
    }

    @Test
    void replayOfAnUnreadableRecordNeedsTheCorrectedDocumentAndNothingIsSentWithout() {
        Cli.Result refused = cli().run("dlq", "replay", Long.toString(unreadable), "--yes");
        assertEquals(ExitCode.USAGE, refused.exitCode(), refused::toString);
        assertTrue(refused.err().contains("--tenant and --key"), refused::toString);
        assertEquals(List.of(), replica.requests());

        String path = "/v1/tenants/" + tenant + "/docs/order-2";
        replica.answer("PUT", path, 201, "{\"position\":\"3:78\"}");
        Cli.Result fixed = cli().run("dlq", "replay", Long.toString(unreadable), "--tenant", tenant, "--key",
                "order-2", "--value", "{\"n\":2}", "--yes");
        assertEquals(0, fixed.exitCode(), fixed::toString);
        assertEquals("dlq-meridian.wal-3@43", replica.onlyRequest().idempotencyKey());
        assertEquals(Json.readTree("{\"n\":2}".getBytes()), Json.readTree(replica.onlyRequest().body().getBytes()));
    }
}
