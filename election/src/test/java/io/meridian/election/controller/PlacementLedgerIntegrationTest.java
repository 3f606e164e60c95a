package io.meridian.election.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The next controller's read of {@code meridian.placements} on real brokers. */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PlacementLedgerIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * A transaction still undecided when the read starts (as one whose commit was acknowledged but whose markers are
     * not written yet) keeps the last stable offset below everything committed after it. A read that stopped there
     * would miss committed placements without a word: the ledger waits for the transaction and then has all of them.
     */
    @Test
    void shouldWaitForAnUndecidedTransactionRatherThanMissWhatCommittedAfterIt() throws Exception {
        TestCluster cluster = SharedTestCluster.get();
        try (Admin admin = cluster.admin()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> new TopicProvisioner(admin).provision(Topics.catalog(12, (short) 3, 2)));
        }
        String prefix = cluster.uniqueName("ledger");
        Placement first = placement(prefix + "-first");
        Placement second = placement(prefix + "-second");
        try (KafkaProducer<String, Placement> undecided = transactional(cluster, prefix + "-undecided");
             KafkaProducer<String, Placement> later = transactional(cluster, prefix + "-later")) {
            // Both on one partition, the undecided transaction's record first.
            undecided.beginTransaction();
            undecided.send(new ProducerRecord<>(Topics.PLACEMENTS.name(), 0, first.tenant(), first)).get();
            later.beginTransaction();
            later.send(new ProducerRecord<>(Topics.PLACEMENTS.name(), 0, second.tenant(), second)).get();
            later.commitTransaction();

            CompletableFuture<PlacementLedger> read = CompletableFuture.supplyAsync(
                    () -> PlacementLedger.read(Map.of("bootstrap.servers", cluster.bootstrapServers()),
                            prefix + "-reader", TIMEOUT));
            // The reader is meanwhile at its end offsets; then the first transaction commits too.
            Thread.sleep(2_000);
            undecided.commitTransaction();

            PlacementLedger ledger = read.get(TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertEquals(second, ledger.get(second.tenant()).orElse(null), "committed before the read began");
            assertEquals(first, ledger.get(first.tenant()).orElse(null), "committed while the read waited");
        }
    }

    private static KafkaProducer<String, Placement> transactional(TestCluster cluster, String transactionalId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        KafkaProducer<String, Placement> producer = new KafkaProducer<>(props, Topics.PLACEMENTS.keySerde().serializer(),
                Topics.PLACEMENTS.valueSerde().serializer());
        producer.initTransactions();
        return producer;
    }

    private static Placement placement(String tenant) {
        return new Placement(tenant, "us-east", List.of("us-east", "eu-west"), 1, WriteState.ACTIVE,
                ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY);
    }
}
