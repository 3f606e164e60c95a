package io.meridian.node;

import static io.meridian.node.LocalHttp.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
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
    private static final Map<String, String> WRITTEN = new LinkedHashMap<>();  // key -> position

    @TempDir
    static Path dataDir;
    static LocalDeployment local;

    @BeforeAll
    static void start() throws Exception {
        local = new LocalDeployment(dataDir, LocalHttp.freePortRange(3), TOKEN);
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
        var placed = send("PUT", local.url("us-east") + "/admin/tenants/acme/placement",
                "{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\",\"ap-south\"],\"strategy\":\"reject\"}",
                "Authorization", "Bearer " + TOKEN);
        assertEquals(201, placed.statusCode(), placed.body());
        for (int i = 0; i < 20; i++) {
            var written = send("PUT", local.url("us-east") + "/v1/tenants/acme/docs/doc-" + i, "{\"n\":" + i + "}");
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
        var redirected = send("PUT", local.url("ap-south") + "/v1/tenants/acme/docs/doc-0?trace=1", "{}");
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
            var read = send("GET", local.url(region) + "/v1/tenants/acme/docs/" + entry.getKey(), null,
                    "X-Meridian-Min-Position", entry.getValue());
            assertEquals(200, read.statusCode(), region + " " + entry.getKey() + ": " + read.body());
            JsonNode doc = Json.readTree(read.body().getBytes());
            assertEquals(Integer.parseInt(entry.getKey().substring(4)), doc.get("n").asInt(), region);
        }
    }
}
