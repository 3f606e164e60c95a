package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.node.LocalDeployment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Prepares a running Meridian for the bench: finds Kafka and the admin token, creates the bench topic, picks tenants
 * that cover every WAL partition evenly, gives them a placement (primary us-east, replicated to all regions) and waits
 * until each of them takes writes.
 */
final class BenchSetup {
    private static final Duration WRITABLE_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http;
    private final URI url;
    private final String adminToken;

    BenchSetup(HttpClient http, URI url, String adminToken) {
        this.http = http;
        this.url = url;
        this.adminToken = adminToken;
    }

    /** {@code kafka.bootstrap.servers} of the primary region's node file that {@code meridian local} writes. */
    static String bootstrapFromLocal(Path dataDir) {
        Path file = dataDir.resolve("nodes").resolve(Workload.REGION + ".properties");
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("no --bootstrap given and cannot read " + file.toAbsolutePath()
                    + " (is 'meridian local' running with this --data-dir?)", e);
        }
        String bootstrap = props.getProperty("kafka.bootstrap.servers");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalStateException(file.toAbsolutePath() + " has no kafka.bootstrap.servers");
        }
        return bootstrap.trim();
    }

    /** The admin token: the option, else MERIDIAN_ADMIN_TOKEN, else the file 'meridian local' keeps. */
    static String adminToken(String option, Path dataDir) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String env = System.getenv("MERIDIAN_ADMIN_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = dataDir.resolve("admin-token");
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("no --admin-token, no MERIDIAN_ADMIN_TOKEN and cannot read "
                    + file.toAbsolutePath(), e);
        }
    }

    /** Creates {@code meridian.bench} like the WAL (12 partitions, RF 3, min.insync.replicas 2) if it is missing. */
    static void createBenchTopic(Admin admin, int partitions) {
        NewTopic topic = new NewTopic(RawProducerTarget.TOPIC, partitions, (short) 3).configs(Map.of(
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2",
                // Only the acknowledgements matter, not the data: keep the brokers' disks small.
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis())));
        try {
            admin.createTopics(List.of(topic)).all().get();
            Progress.line("created topic %s (%d partitions, RF 3, min.insync.replicas 2)", topic.name(), partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + topic.name() + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static int walPartitions(Admin admin) {
        try {
            return admin.describeTopics(List.of(Topics.WAL.name())).allTopicNames().get()
                    .get(Topics.WAL.name()).partitions().size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe " + Topics.WAL.name() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * At least {@code count} tenant ids {@code prefix + n}, the same number in every WAL partition (by Kafka's default
     * partitioner on the tenant key), ordered so that consecutive writes of the round-robin go to different partitions.
     */
    static List<String> pickTenants(String prefix, int count, int partitions) {
        int perPartition = Math.max(1, (count + partitions - 1) / partitions);
        List<List<String>> byPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        int filled = 0;
        for (int i = 0; filled < partitions; i++) {
            String tenant = prefix + i;
            int partition = WalPartitioner.partitionOf(tenant, partitions);
            List<String> slot = byPartition.get(partition);
            if (slot.size() < perPartition) {
                slot.add(tenant);
                if (slot.size() == perPartition) {
                    filled++;
                }
            }
        }
        List<String> tenants = new ArrayList<>();
        for (int round = 0; round < perPartition; round++) {
            for (List<String> slot : byPartition) {
                tenants.add(slot.get(round));
            }
        }
        return tenants;
    }

    /** Places every tenant (primary us-east, all regions): see {@link #placeTenants(List, List, boolean)}. */
    Map<String, Long> placeTenants(List<String> tenants, boolean probe) {
        return placeTenants(tenants, LocalDeployment.REGIONS, probe);
    }

    /**
     * Places every tenant (primary us-east, replicated to {@code replicas}) and returns their epochs. A 2xx answer means
     * the placement and its fence are committed; with {@code probe}, also waits until each tenant takes a write through
     * the router.
     */
    Map<String, Long> placeTenants(List<String> tenants, List<String> replicas, boolean probe) {
        byte[] body = Json.write(Map.of("primary", "us-east", "replicas", replicas, "strategy", "reject"));
        Map<String, Long> epochs = new LinkedHashMap<>();
        for (String tenant : tenants) {
            HttpResponse<String> response = send(admin("/admin/tenants/" + tenant + "/placement")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            // 201 created, 200 changed or already so, 202 committed but not yet visible on that node: all carry the
            // placement. 409: another change won a race; read what is in force.
            if (response.statusCode() / 100 == 2) {
                epochs.put(tenant, epochOf(tenant, response));
            } else if (response.statusCode() == 409) {
                HttpRequest get = admin("/admin/tenants/" + tenant + "/placement").GET().build();
                epochs.put(tenant, epochOf(tenant, send(get)));
            } else {
                throw new IllegalStateException("PUT placement of " + tenant + " answered " + response.statusCode()
                        + ": " + response.body());
            }
        }
        Progress.line("placed %d tenants%s", tenants.size(), probe ? "; waiting until each takes writes" : "");
        for (String tenant : probe ? tenants : List.<String>of()) {
            awaitWritable(tenant);
        }
        return epochs;
    }

    private void awaitWritable(String tenant) {
        long deadline = System.nanoTime() + WRITABLE_TIMEOUT.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(url.resolve("/v1/tenants/" + tenant + "/docs/probe"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"probe\":true}")).build();
        while (true) {
            HttpResponse<String> response = send(probe);
            if (response.statusCode() == 201) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tenant " + tenant + " does not take writes after "
                        + WRITABLE_TIMEOUT.toSeconds() + " s; last answer " + response.statusCode() + ": "
                        + response.body());
            }
            sleep(Duration.ofMillis(250));
        }
    }

    /** The epoch of the placement in an admin answer. */
    private static long epochOf(String tenant, HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("placement of " + tenant + ": " + response.statusCode() + " "
                    + response.body());
        }
        JsonNode json = Json.readTree(response.body().getBytes(StandardCharsets.UTF_8));
        JsonNode epoch = json.has("epoch") ? json.get("epoch") : json.path("placement").path("epoch");
        if (!epoch.canConvertToLong()) {
            throw new IllegalStateException("placement of " + tenant + " has no epoch: " + response.body());
        }
        return epoch.asLong();
    }

    private HttpRequest.Builder admin(String path) {
        return HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
