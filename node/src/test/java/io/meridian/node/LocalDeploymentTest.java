package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meridian local} end to end, as a newcomer uses it: real brokers and three region nodes as child processes.
 * The tests build on each other (one deployment for the class), in order.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class LocalDeploymentTest {
    private static final String TOKEN = "test-token";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, String> WRITTEN = new LinkedHashMap<>();  // key -> position

    @TempDir
    static Path dataDir;
    static LocalDeployment local;

    @BeforeAll
    static void start() throws IOException {
        local = new LocalDeployment(dataDir, freePortRange(3), TOKEN);
        local.start();
        local.awaitReady(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    @Order(1)
    void shouldAcceptWritesInThePrimaryAndServeThemInEveryReplica() throws Exception {
        var placed = send("PUT", "us-east", "/admin/tenants/acme/placement",
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"],\"strategy\":\"reject\"}",
                "Authorization", "Bearer " + TOKEN);
        assertEquals(201, placed.statusCode(), placed.body());
        for (int i = 0; i < 20; i++) {
            var written = send("PUT", "us-east", "/v1/tenants/acme/docs/doc-" + i, "{\"n\":" + i + "}");
            assertEquals(201, written.statusCode(), written.body());
            String position = written.headers().firstValue("X-Meridian-Position").orElse(null);
            assertNotNull(position);
            assertEquals(position, Json.readTree(written.body().getBytes()).get("position").asText());
            WRITTEN.put("doc-" + i, position);
        }
        for (String region : new String[] {"us-east", "eu-west", "ap-south"}) {
            assertEveryWriteReadable(region);
        }
    }

    @Test
    @Order(2)
    void shouldRedirectWritesFromANonPrimaryToTheConfiguredPrimaryUrl() throws Exception {
        var redirected = send("PUT", "ap-south", "/v1/tenants/acme/docs/doc-0?trace=1", "{}");
        assertEquals(307, redirected.statusCode(), redirected.body());
        assertEquals(local.url("us-east") + "/v1/tenants/acme/docs/doc-0?trace=1",
                redirected.headers().firstValue("Location").orElseThrow());
    }

    @Test
    @Order(3)
    void shouldKeepEveryAcknowledgedWriteAcrossANodeCrash() throws Exception {
        local.killNode("eu-west");
        local.startNode("eu-west");
        local.awaitReady(Duration.ofMinutes(3));
        assertEveryWriteReadable("eu-west");
    }

    private static void assertEveryWriteReadable(String region) throws Exception {
        for (var entry : WRITTEN.entrySet()) {
            var read = send("GET", region, "/v1/tenants/acme/docs/" + entry.getKey(), null,
                    "X-Meridian-Min-Position", entry.getValue());
            assertEquals(200, read.statusCode(), region + " " + entry.getKey() + ": " + read.body());
            JsonNode doc = Json.readTree(read.body().getBytes());
            assertEquals(Integer.parseInt(entry.getKey().substring(4)), doc.get("n").asInt(), region);
        }
    }

    private static HttpResponse<String> send(String method, String region, String path, String body,
                                             String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(local.url(region) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first of {@code count} consecutive free ports. */
    static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket probe = new ServerSocket(0)) {
                base = probe.getLocalPort();
            }
            if (base + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port)) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
