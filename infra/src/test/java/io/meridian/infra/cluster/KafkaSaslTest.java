package io.meridian.infra.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.ConfigKeys;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.topics.WalProducerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meridian's Kafka clients on a broker that asks for SASL/PLAIN over {@code SASL_PLAINTEXT}, configured only through
 * Meridian's own settings ({@code kafka.security.protocol}, {@code kafka.sasl.mechanism}, {@code kafka.sasl.jaas.config},
 * as docs/operations.md shows): the node's Admin, its WAL producer settings and a consumer authenticate and work; a
 * wrong password is refused. A real broker process (one broker, one controller) with a second, SASL listener beside
 * the plaintext one its readiness check uses.
 */
@Tag("integration")
class KafkaSaslTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"%s\" password=\"%s\";";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void shouldConnectMeridiansKafkaClientsWithSaslPlainAndRefuseAWrongPassword() throws Exception {
        int basePort = freePortPair();
        int saslPort = freePort();
        String plain = "PLAINTEXT://127.0.0.1:" + basePort;
        String sasl = "SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        KafkaProcessClusterBuilder builder = KafkaProcessClusterBuilder.forDataDir(dir).racks(List.of("us-east"))
                .basePort(basePort)
                .brokerProperty("listeners", plain + "," + sasl)
                .brokerProperty("advertised.listeners", plain + "," + sasl)
                .brokerProperty("listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " user_meridian=\"meridian-secret\";");
        try (KafkaProcessCluster cluster = builder.build()) {
            cluster.start();
            assertEquals("127.0.0.1:" + basePort, cluster.bootstrapServers(), "the plaintext listener is first");
            String bootstrap = "127.0.0.1:" + saslPort;

            MeridianConfig config = config(bootstrap, "meridian-secret");
            String topic = "meridian.sasl-test";
            try (Admin admin = Admin.create(config.kafkaClientProperties())) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            Map<String, Object> producerProps = WalProducerSettings.forWrites(config.kafkaClientProperties(),
                    "meridian-sasl-test", Duration.ofSeconds(30));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "acme", "written over SASL")).get(60, TimeUnit.SECONDS);
            }
            Map<String, Object> consumerProps = new HashMap<>(config.kafkaClientProperties());
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "meridian-sasl-test");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                String value = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (value == null && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    for (var record : records) {
                        value = record.value();
                    }
                }
                assertEquals("written over SASL", value);
            }

            MeridianConfig wrong = config(bootstrap, "not-the-password");
            Map<String, Object> refusedProps = new HashMap<>(wrong.kafkaClientProperties());
            refusedProps.put("request.timeout.ms", 10_000);
            refusedProps.put("default.api.timeout.ms", 15_000);
            try (Admin admin = Admin.create(refusedProps)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
            }
        }
    }

    /** A node's settings with the SASL client keys, every one a key the node accepts. */
    private static MeridianConfig config(String bootstrap, String password) {
        Map<String, Object> values = new HashMap<>();
        values.put(MeridianConfig.REGION, "us-east");
        values.put(MeridianConfig.REGIONS, "us-east=http://127.0.0.1:1");
        values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, bootstrap);
        values.put("kafka.security.protocol", "SASL_PLAINTEXT");
        values.put("kafka.sasl.mechanism", "PLAIN");
        values.put("kafka.sasl.jaas.config", String.format(JAAS, "meridian", password));
        for (String key : values.keySet()) {
            assertTrue(ConfigKeys.isKnown(key), key + " must be a key the node accepts");
        }
        return new MeridianConfig(values);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port whose successor is free too: the broker takes it, the controller the next. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            if (port < 65_000) {
                try (ServerSocket next = new ServerSocket(port + 1)) {
                    return port;
                } catch (IOException e) {
                    // taken: try another
                }
            }
        }
        throw new IllegalStateException("no two consecutive free ports");
    }
}
