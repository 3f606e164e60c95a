package io.meridian.node;

import static io.meridian.node.LocalHttp.send;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.IngestRequest;
import io.meridian.infra.model.IngestResult;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tenant migration in {@code meridian local}: under a steady write load no acknowledged write is lost and the old
 * primary redirects afterwards; a dry run writes nothing; a migration whose controller dies mid-way still ends
 * completed or rolled back, never half-way.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LocalMigrationTest {
    private static final String TOKEN = "migration-token";

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of(
                "health.heartbeat.interval.ms", "500",
                "zookeeper.session.timeout.ms", "4000",
                "migration.timeout.ms", "20000",
                // Keep automatic failover out of the way of the controller-crash test.
                "failover.enabled", "false"));

    /**
     * A node heartbeats only once its applier runs, so a region whose applier started late may still be unhealthy
     * on the controller (until enough good intervals) when the deployment is ready: migrations refuse such a target.
     */
    @BeforeAll
    static void awaitEveryRegionHealthyEverywhere() {
        List<String> regions = List.of("us-east", "eu-west", "ap-south");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            for (String observer : regions) {
                var health = send("GET", local.url(observer) + "/v1/replication/health", null);
                JsonNode seen = Json.readTree(health.body().getBytes()).path("regions");
                if (!regions.stream().allMatch(r -> seen.path(r).path("health").asText().equals("healthy"))) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    @Order(1)
    void dryRunWritesNothing() throws Exception {
        local.place("dry", "us-east", null);
        var plan = local.admin("POST", "ap-south", "/admin/tenants/dry/migrate", "{\"to_region\":\"eu-west\",\"dry_run\":true}");
        assertEquals(200, plan.statusCode(), plan.body());
        assertTrue(Json.readTree(plan.body().getBytes()).get("valid").asBoolean(), plan.body());
        assertEquals(1, local.placement("dry", "eu-west").get("epoch").asLong());
        var migrations = local.admin("GET", "eu-west", "/admin/tenants/dry/migrations", null);
        assertEquals(0, Json.readTree(migrations.body().getBytes()).get("migrations").size(), migrations.body());
    }

    @Test
    @Order(2)
    void shouldMigrateUnderWriteLoadWithoutLosingAnAcknowledgedWrite() throws Exception {
        local.place("mig", "us-east", null);
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();
        AtomicInteger redirects = new AtomicInteger();
        Thread writer = new Thread(() -> {
            String url = local.url("us-east");
            while (writing.get()) {
                String key = "k" + sequence.incrementAndGet();
                try {
                    HttpResponse<String> response = send("PUT", url + "/v1/tenants/mig/docs/" + key,
                            "{\"k\":\"" + key + "\"}");
                    if (response.statusCode() == 307) {  // the switch happened: follow the tenant to its new primary
                        redirects.incrementAndGet();
                        url = URI.create(response.headers().firstValue("Location").orElseThrow()).resolve("/")
                                .toString().replaceAll("/$", "");
                        response = send("PUT", url + "/v1/tenants/mig/docs/" + key, "{\"k\":\"" + key + "\"}");
                    }
                    if (response.statusCode() == 201) {
                        acked.put(key, response.headers().firstValue("X-Meridian-Position").orElseThrow());
                    }
                } catch (Exception e) {
                    // not acknowledged
                }
            }
        });
        writer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 20);

        var started = local.admin("POST", "eu-west", "/admin/tenants/mig/migrate", "{\"to_region\":\"eu-west\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.readTree(started.body().getBytes()).get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                state(id).equals("completed") || state(id).equals("failed"));
        assertEquals("completed", state(id));
        // The controller asked eu-west directly whether it had applied the pause fence (heartbeats are the fallback).
        String metrics = send("GET", local.url("eu-west") + "/metrics", null).body();
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("meridian_http_requests_seconds_count")
                && line.contains("route=\"/v1/replication/applied\"") && line.contains("status=\"200\"")),
                "no answered GET /v1/replication/applied in eu-west's metrics");
        int before = acked.size();
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 10);  // writes go on in eu-west
        writing.set(false);
        writer.join(30_000);

        JsonNode placement = local.placement("mig", "eu-west");
        assertEquals("eu-west", placement.get("primary").asText());
        assertEquals("active", placement.get("writes").asText());
        assertTrue(redirects.get() >= 1, "the writer was redirected to the new primary");
        for (var entry : acked.entrySet()) {
            var read = send("GET", local.url("eu-west") + "/v1/tenants/mig/docs/" + entry.getKey(), null,
                    "X-Meridian-Min-Position", entry.getValue());
            assertEquals(200, read.statusCode(), "eu-west lost acknowledged write " + entry.getKey());
        }
        var old = send("PUT", local.url("us-east") + "/v1/tenants/mig/docs/late", "{}");
        assertEquals(307, old.statusCode());
        assertEquals(local.url("eu-west") + "/v1/tenants/mig/docs/late", old.headers().firstValue("Location").orElseThrow());
    }

    @Test
    @Order(3)
    void aMigrationWhoseControllerDiesEndsCompletedOrRolledBack() throws Exception {
        local.place("crash", "us-east", null);
        // Stop the target's node right after validation: the drain cannot finish, the migration waits...
        var started = local.admin("POST", "eu-west", "/admin/tenants/crash/migrate", "{\"to_region\":\"ap-south\"}");
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.readTree(started.body().getBytes()).get("id").asText();
        local.deployment().killNode("ap-south");
        // ...then the controller dies too.
        String controller = Json.readTree(local.admin("GET", "eu-west", "/admin/replication/election", null).body()
                .getBytes()).get("leaderRegion").asText();
        if (!controller.equals("ap-south")) {
            local.deployment().killNode(controller);
        }
        String survivor = List.of("us-east", "eu-west").stream().filter(r -> !r.equals(controller)).findFirst()
                .orElseThrow();
        // A new controller rebuilds the migration from the log and ends it.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var status = local.admin("GET", survivor, "/admin/migrations/" + id, null);
            if (status.statusCode() != 200) {
                return false;
            }
            String state = Json.readTree(status.body().getBytes()).get("state").asText();
            return state.equals("completed") || state.equals("failed") || state.equals("cancelled");
        });
        JsonNode placement = Json.readTree(local.admin("GET", survivor, "/admin/tenants/crash/placement", null).body()
                .getBytes());
        assertEquals("active", placement.get("writes").asText(), "never left half-way: writes are active again");
    }

    private static boolean answers(String region) {
        try {
            return LocalHttp.send("GET", local.url(region) + "/health/live", null).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static String state(String id) throws Exception {
        var response = local.admin("GET", "ap-south", "/admin/migrations/" + id, null);
        assertEquals(200, response.statusCode(), response.body());
        return Json.readTree(response.body().getBytes()).get("state").asText();
    }

    /**
     * Full sync survives crashes: eu-west's node is down (kill -9) when it is added to a tenant with documents, and
     * the source us-east is killed right after the change; both start again and the sync ends by itself, with
     * eu-west's copy equal to us-east's by digest.
     */
    @Test
    @Order(20)
    void fullSyncInterruptedByCrashesOfTargetAndSourceEndsByItself() throws Exception {
        String tenant = "grow";
        String path = "/admin/tenants/" + tenant + "/placement";
        // The controller-crash test above leaves ap-south's node and the old controller's dead: start them again.
        for (String region : List.of("us-east", "eu-west", "ap-south")) {
            if (!answers(region)) {
                local.deployment().startNode(region);
            }
        }
        local.deployment().awaitReady(Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> local.admin("PUT", "ap-south", path,
                        "{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}").statusCode() == 201);
        await().atMost(Duration.ofSeconds(30)).until(() -> local.admin("GET", "us-east", path, null).statusCode() == 200);
        for (int i = 0; i < 400; i++) {
            var put = send("PUT", local.url("us-east") + "/v1/tenants/" + tenant + "/docs/k" + i, "{\"n\":" + i + "}");
            assertEquals(201, put.statusCode(), put.body());
        }

        local.deployment().killNode("eu-west");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            int status = local.admin("PUT", "ap-south", path,
                    "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}").statusCode();
            return status == 200 || status == 202;
        });
        local.deployment().killNode("us-east");
        local.deployment().startNode("us-east");
        local.deployment().startNode("eu-west");

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            JsonNode placement = local.placement(tenant, "ap-south");
            return placement.path("replicas").size() == 2 && !placement.has("syncing");
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
                digest("eu-west", tenant).equals(digest("us-east", tenant)));
        var read = send("GET", local.url("eu-west") + "/v1/tenants/" + tenant + "/docs/k123", null);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("{\"n\":123}", read.body());

        // Re-seed: every tenant eu-west holds syncs again (when eu-west is the primary of none: earlier tests of the
        // class may have migrated one there), and ends with the same copy.
        JsonNode tenants = Json.readTree(local.admin("GET", "us-east", "/admin/tenants", null).body().getBytes())
                .path("tenants");
        boolean primarySomewhere = false;
        for (JsonNode placement : tenants) {
            primarySomewhere |= placement.path("primary").asText().equals("eu-west");
        }
        var reseed = local.admin("POST", "ap-south", "/admin/regions/eu-west/reseed", null);
        if (primarySomewhere) {
            assertEquals(409, reseed.statusCode(), reseed.body());
            return;
        }
        assertEquals(202, reseed.statusCode(), reseed.body());
        assertTrue(reseed.body().contains("\"" + tenant + "\""), reseed.body());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            JsonNode placement = local.placement(tenant, "ap-south");
            return placement.path("epoch").asLong() >= 4 && !placement.has("syncing");
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() ->
                digest("eu-west", tenant).equals(digest("us-east", tenant)));
    }

    /**
     * Write requests produced to {@code meridian.ingest} (round robin over partitions, so every node of the deployment
     * reads some) while their tenant migrates: each is applied once and answered accepted on
     * {@code meridian.ingest-results}, in us-east before the switch and in eu-west after it.
     */
    @Test
    @Order(30)
    void ingestRequestsFollowTheirTenantThroughAMigration() throws Exception {
        long start = System.nanoTime();
        local.deployment().awaitReady(Duration.ofSeconds(120));
        String tenant = "ingest";
        local.place(tenant, "us-east", null);
        String bootstrap = local.deployment().kafka().bootstrapServers();
        List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread service = new Thread(() -> {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName()),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; producing.get(); i++) {
                    IngestRequest request = IngestRequest.put("ingest-" + i, tenant, "k" + (i % 10),
                            RawJson.parse("{\"i\":" + i + "}"));
                    producer.send(new ProducerRecord<>("meridian.ingest", tenant, Json.write(request))).get();
                    ids.add(request.requestId());
                    Thread.sleep(25);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "ingest-service");
        service.start();
        Map<String, List<IngestResult>> outcomes = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, byte[]> results = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = results.partitionsFor("meridian.ingest-results").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            results.assign(partitions);
            results.seekToBeginning(partitions);
            Runnable read = () -> results.poll(Duration.ofMillis(200)).forEach(r -> outcomes
                    .computeIfAbsent(r.key(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(Json.read(r.value(), IngestResult.class)));
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                read.run();
                return outcomes.keySet().stream().filter(k -> k.startsWith("ingest-")).count() >= 10;
            });
            System.out.printf("ingest: 10 outcomes after %d ms%n", (System.nanoTime() - start) / 1_000_000);

            // eu-west may still be finishing the previous tests' re-seed (409 target_syncing, retriable): at a
            // loaded machine's pace that took over a minute once (fresh run 12), so wait up to three.
            await().alias("the migration to eu-west was accepted (its answers are printed)")
                    .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        var answer = local.admin("POST", "eu-west", "/admin/tenants/" + tenant + "/migrate",
                                "{\"to_region\":\"eu-west\"}");
                        if (answer.statusCode() != 202) {
                            System.out.println("ingest: migrate answered " + answer.statusCode() + " " + answer.body());
                        }
                        return answer.statusCode() == 202;
                    });
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    local.placement(tenant, "eu-west").get("primary").asText().equals("eu-west"));
            System.out.printf("ingest: switched after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            int before = ids.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.size() >= before + 10);
            producing.set(false);
            service.join(30_000);

            await().atMost(Duration.ofSeconds(120)).until(() -> {
                read.run();
                return ids.stream().allMatch(outcomes::containsKey);
            });
            System.out.printf("ingest: %d outcomes after %d ms%n", ids.size(), (System.nanoTime() - start) / 1_000_000);
        }
        java.util.Set<String> regions = new java.util.HashSet<>();
        for (String id : ids) {
            List<IngestResult> answers = outcomes.get(id);
            IngestResult first = answers.get(0);
            assertTrue(first.accepted(), first.toString());
            answers.forEach(a -> assertEquals(first.position(), a.position(), "one write per request: " + answers));
            regions.add(first.region());
            var read = send("GET", local.url("eu-west") + "/v1/tenants/" + tenant + "/docs/" + first.key(), null,
                    "X-Meridian-Min-Position", first.position());
            assertEquals(200, read.statusCode(), "eu-west lost ingested write " + id);
        }
        assertEquals(java.util.Set.of("us-east", "eu-west"), regions, "written in the old, then the new primary");
        assertEquals(ids.size(), ids.stream().map(id -> outcomes.get(id).get(0).position()).distinct().count());
    }

    private static String digest(String region, String tenant) throws Exception {
        var response = local.admin("GET", region, "/admin/tenants/" + tenant + "/digest", null);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = Json.readTree(response.body().getBytes());
        assertEquals(400, body.get("documents").asLong(), response.body());
        return body.get("digest").asText();
    }
}
