package io.meridian.node;

import static io.meridian.node.LocalHttp.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@code meridian local} deployment for a test class ({@code @RegisterExtension static}): real brokers and three
 * region nodes as child processes, started and ready before the class's tests, closed and deleted after them. Admin
 * calls carry its token.
 */
final class LocalFixture implements BeforeAllCallback, AfterAllCallback {
    static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final String token;
    private final Map<String, String> nodeSettings;
    private final Map<String, Integer> nodeCounts;
    private final Map<String, Map<String, String>> regionSettings = new java.util.LinkedHashMap<>();
    private Path dataDir;
    private LocalDeployment deployment;

    /** @param nodeSettings node configuration for every region (e.g. shorter health intervals) */
    LocalFixture(String token, Map<String, String> nodeSettings) {
        this(token, nodeSettings, Map.of());
    }

    /** @param nodeCounts nodes of each region (regions not named: one) */
    LocalFixture(String token, Map<String, String> nodeSettings, Map<String, Integer> nodeCounts) {
        this.token = token;
        this.nodeSettings = Map.copyOf(nodeSettings);
        this.nodeCounts = Map.copyOf(nodeCounts);
    }

    /** Gives {@code region}'s nodes {@code settings} too, as {@code meridian local --set REGION:KEY=VALUE} does. */
    LocalFixture regionSettings(String region, Map<String, String> settings) {
        regionSettings.put(region, Map.copyOf(settings));
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("meridian-" + context.getRequiredTestClass().getSimpleName() + "-");
        int most = nodeCounts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        deployment = new LocalDeployment(dataDir, LocalHttp.freePortRange(3 * most), token, nodeSettings,
                nodeCounts);
        regionSettings.forEach(deployment::regionSettings);
        deployment.start();
        deployment.awaitReady(READY_TIMEOUT);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (deployment != null) {
                deployment.close();
            }
        } finally {
            if (dataDir != null && Boolean.getBoolean("meridian.keep.deployment")) {
                System.err.println("kept the deployment's directory (meridian.keep.deployment): " + dataDir);
            } else if (dataDir != null) {
                deleteRecursively(dataDir);
            }
        }
    }

    LocalDeployment deployment() {
        return deployment;
    }

    String token() {
        return token;
    }

    String url(String region) {
        return deployment.url(region);
    }

    /** A directory of this deployment's, deleted with it. */
    Path dataDir() {
        return dataDir;
    }

    HttpResponse<String> admin(String method, String region, String path, String body) throws Exception {
        return send(method, url(region) + path, body, "Authorization", "Bearer " + token);
    }

    /**
     * Places {@code tenant} on all three regions with {@code primary}, through another region's node (it forwards to
     * the controller, wherever that is), retrying while no controller is elected; returns once the primary's node
     * serves the placement.
     *
     * @param strategy the conflict strategy, or {@code null} for the default
     */
    void place(String tenant, String primary, String strategy) {
        String via = primary.equals("eu-west") ? "ap-south" : "eu-west";
        String body = "{\"primary\":\"" + primary + "\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"]"
                + (strategy == null ? "" : ",\"strategy\":\"" + strategy + "\"") + "}";
        String path = "/admin/tenants/" + tenant + "/placement";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            int status = admin("PUT", via, path, body).statusCode();
            return status == 201 || status == 200;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> admin("GET", primary, path, null).statusCode() == 200);
    }

    /**
     * Waits until every region's node sees every region healthy. A node heartbeats only once its applier runs, so a
     * region whose applier started late may still be unhealthy on the controller (until enough good intervals) when
     * the deployment is ready: migrations refuse such a target.
     */
    void awaitEveryRegionHealthyEverywhere() {
        List<String> regions = LocalDeployment.REGIONS;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            for (String observer : regions) {
                var health = send("GET", url(observer) + "/v1/replication/health", null);
                JsonNode seen = Json.readTree(health.body().getBytes()).path("regions");
                if (!regions.stream().allMatch(r -> seen.path(r).path("health").asText().equals("healthy"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The tenant's placement as {@code region}'s node serves it. */
    JsonNode placement(String tenant, String region) throws Exception {
        var response = admin("GET", region, "/admin/tenants/" + tenant + "/placement", null);
        assertEquals(200, response.statusCode(), response.body());
        return Json.readTree(response.body().getBytes());
    }

    // Best effort: a file a dying child process still writes must not fail the class after its tests passed.
    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
