package io.meridian.node;

import static io.meridian.node.LocalHttp.send;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import io.meridian.streams.ReplicationMonitor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.meridian.node.ops.QueriedSeries;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final LocalFixture local = new LocalFixture(TOKEN, Map.of())
            .regionSettings("ap-south", Map.of("http.max.body.bytes", "2048"));  // as --set ap-south:KEY=VALUE

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
    @Order(2)
    void shouldGiveOneRegionsNodesTheSettingsGivenForThatRegion() throws Exception {
        String body = "{\"pad\":\"" + "x".repeat(3000) + "\"}";
        assertError(send("PUT", local.url("ap-south") + "/v1/tenants/acme/docs/big", body), 413, "body_too_large");
        var elsewhere = send("PUT", local.url("eu-west") + "/v1/tenants/acme/docs/big", body);
        assertEquals(307, elsewhere.statusCode(), "eu-west keeps the default limit: " + elsewhere.body());
    }

    @Test
    @Order(3)
    void shouldKeepEveryAcknowledgedWriteAcrossANodeCrash() throws Exception {
        local.deployment().killNode("eu-west");
        local.deployment().startNode("eu-west");
        local.deployment().awaitReady(Duration.ofMinutes(3));
        assertEveryWriteReadable("eu-west");
    }

    @Test
    @Order(4)
    void shouldLeaveItsGroupsOnAGracefulStopSoThatARestartWaitsForNoFormerMember() throws Exception {
        String applierGroup = "meridian-applier-eu-west";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", local.deployment().kafka().bootstrapServers()))) {
            // After the crash above, the restarted node took its old member's place: one member, the static one.
            assertEquals(List.of("eu-west-1-1"), instanceIds(admin, applierGroup));

            local.deployment().stopNode("eu-west");  // SIGTERM, as Ctrl-C

            // Gone when the process is: nobody left whose session a restart would have to wait out.
            assertEquals(List.of(), instanceIds(admin, applierGroup));
            assertFalse(instanceIds(admin, ReplicationMonitor.APPLICATION_ID).contains("eu-west-1-monitor-1"));
        }
        local.deployment().startNode("eu-west");
        local.deployment().awaitReady(Duration.ofMinutes(3));
        assertEveryWriteReadable("eu-west");
    }

    private static List<String> instanceIds(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members()
                .stream().map(m -> m.groupInstanceId().orElse("(dynamic) " + m.consumerId())).sorted().toList();
    }

    @Test
    @Order(5)
    void everySeriesTheDashboardAndTheAlertsQueryIsExportedByTheRunningNodes() throws Exception {
        Set<String> queried = new TreeSet<>(QueriedSeries.in(QueriedSeries.DASHBOARD));
        queried.addAll(QueriedSeries.in(QueriedSeries.ALERT_RULES));
        Set<String> exported = new TreeSet<>();
        for (String region : LocalDeployment.REGIONS) {
            var metrics = send("GET", local.url(region) + "/metrics", null);
            assertEquals(200, metrics.statusCode());
            metrics.body().lines().filter(line -> line.startsWith("meridian_"))
                    .map(line -> line.split("[{ ]", 2)[0]).forEach(exported::add);
        }
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "queried by grafana/ or prometheus/ but not exported by a node: " + missing);
    }

    @Test
    @Order(6)
    void aRealPrometheusScrapesALagSeriesForEveryRegion() throws Exception {
        Path prometheus = Path.of("/usr/bin/prometheus");
        Assumptions.assumeTrue(Files.isExecutable(prometheus), "the prometheus package is not installed");
        Path dir = local.dataDir().resolve("prometheus");
        Files.createDirectories(dir);
        String targets = LocalDeployment.REGIONS.stream().map(r -> "'127.0.0.1:" + local.deployment().port(r) + "'")
                .collect(Collectors.joining(", "));
        Files.writeString(dir.resolve("prometheus.yml"), "global: {scrape_interval: 1s}\n"
                + "scrape_configs:\n  - job_name: meridian-node\n    static_configs:\n      - targets: [" + targets
                + "]\n");
        int port = LocalHttp.freePortRange(1);
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String query = "http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode("max by (region) (meridian_replication_lag_seconds >= 0)", StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
                JsonNode result = Json.readTree(send("GET", query, null).body().getBytes()).at("/data/result");
                Set<String> regions = new TreeSet<>();
                result.forEach(series -> regions.add(series.at("/metric/region").asText()));
                return regions.containsAll(LocalDeployment.REGIONS);
            });
        } finally {
            server.destroy();
            server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    // ---- pausing a region's replication (tests 7-9 build on each other) ------------------------------------------

    private static final Map<String, String> WRITTEN_WHILE_PAUSED = new LinkedHashMap<>();  // key -> position
    private static long appliedWhenPaused;

    @Test
    @Order(7)
    void shouldStopApplyingInAPausedRegionWhileWritesInThePrimaryGoOn() throws Exception {
        // Bad input first: nothing changes.
        assertError(local.admin("POST", "ap-south", "/admin/regions/mars/pause", null), 404, "region_not_found");
        assertError(local.admin("POST", "ap-south", "/admin/regions/us-east/pause", null), 409,
                "region_has_primaries");  // acme's primary
        assertError(local.admin("POST", "ap-south", "/admin/regions/eu-west/pause", "{\"why\":1}"), 400,
                "invalid_pause");
        assertFalse(pauseState("eu-west", "us-east").path("paused").asBoolean());

        // Any node takes the pause (ap-south here); the answer comes once it is in meridian.regions.
        var paused = local.admin("POST", "ap-south", "/admin/regions/eu-west/pause", "{\"reason\":\"integration test\"}");
        assertEquals(200, paused.statusCode(), paused.body());
        JsonNode pause = Json.readTree(paused.body().getBytes());
        assertTrue(pause.path("paused").asBoolean() && pause.path("changed").asBoolean(), paused.body());
        var again = local.admin("POST", "us-east", "/admin/regions/eu-west/pause", null);
        assertEquals(200, again.statusCode(), again.body());
        assertFalse(Json.readTree(again.body().getBytes()).path("changed").asBoolean(), "idempotent: " + again.body());
        assertEquals(pause.path("since"), pauseState("eu-west", "us-east").path("since"), "the first pause's time");
        // eu-west's own node has read it (and paused its applier on the same thread right after).
        await().atMost(Duration.ofSeconds(10)).until(() -> pauseState("eu-west", "eu-west").path("paused").asBoolean());

        String partition = WRITTEN.values().iterator().next().split(":")[0];
        appliedWhenPaused = applied("eu-west", partition);
        for (int i = 0; i < 30; i++) {
            var written = send("PUT", local.url("us-east") + "/v1/tenants/acme/docs/paused-" + i, "{\"n\":" + i + "}");
            assertEquals(201, written.statusCode(), written.body());
            WRITTEN_WHILE_PAUSED.put("paused-" + i, written.headers().firstValue("X-Meridian-Position").orElseThrow());
        }
        // The lag monitor sees eu-west fall behind by (at least) those writes; the health says why.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode euWest = health("us-east").path("regions").path("eu-west");
            return euWest.path("paused").asBoolean() && euWest.path("lagEntries").asLong() >= 30;
        });
        assertEquals("degraded", health("ap-south").path("status").asText());
        assertEquals(appliedWhenPaused, applied("eu-west", partition), "a paused region applies nothing");
        // Writes elsewhere went on: ap-south has them all.
        for (var entry : WRITTEN_WHILE_PAUSED.entrySet()) {
            var read = send("GET", local.url("ap-south") + "/v1/tenants/acme/docs/" + entry.getKey(), null,
                    "X-Meridian-Min-Position", entry.getValue());
            assertEquals(200, read.statusCode(), read.body());
            assertTrue(read.headers().firstValue("X-Meridian-Replication-Paused").isEmpty());
        }
        // Reads in eu-west: served from the old copy and marked, or redirected when asked.
        var stale = send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/doc-0", null);
        assertEquals(200, stale.statusCode(), stale.body());
        String header = stale.headers().firstValue("X-Meridian-Replication-Paused").orElseThrow();
        assertTrue(header.startsWith("since=" + pause.path("since").asText() + "; lag_entries="), header);
        assertEquals(404, send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/paused-0", null).statusCode());
        var redirected = send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/paused-0", null,
                "X-Meridian-If-Paused", "redirect");
        assertEquals(307, redirected.statusCode(), redirected.body());
        assertEquals(local.url("us-east") + "/v1/tenants/acme/docs/paused-0",
                redirected.headers().firstValue("Location").orElseThrow());
        var notThere = send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/paused-0", null,
                "X-Meridian-Min-Position", WRITTEN_WHILE_PAUSED.get("paused-0"));
        assertError(notThere, 503, "position_not_reached");
        // The controller will not move a primary there.
        assertError(local.admin("POST", "us-east", "/admin/tenants/acme/migrate", "{\"to_region\":\"eu-west\"}"),
                409, "target_paused");
        assertError(local.admin("PUT", "us-east", "/admin/tenants/newcomer/placement",
                "{\"primary\":\"eu-west\",\"replicas\":[\"eu-west\",\"us-east\"]}"), 409, "target_paused");
        for (String region : LocalDeployment.REGIONS) {
            String metrics = send("GET", local.url(region) + "/metrics", null).body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("meridian_replication_paused{")
                    && l.contains("region=\"eu-west\"") && l.endsWith(" 1.0")), region + " exports the paused gauge");
        }
    }

    @Test
    @Order(8)
    void shouldStayPausedAcrossARestartOfThePausedRegionsNode() throws Exception {
        String partition = WRITTEN.values().iterator().next().split(":")[0];
        local.deployment().stopNode("eu-west");
        local.deployment().startNode("eu-west");
        local.deployment().awaitReady(Duration.ofMinutes(3));
        // It read the pause from meridian.regions before its applier started, and applies nothing.
        assertTrue(pauseState("eu-west", "eu-west").path("paused").asBoolean());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(
                appliedWhenPaused, applied("eu-west", partition), "a restarted paused region applies nothing"));
        assertEquals(404, send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/paused-29", null).statusCode());
    }

    @Test
    @Order(9)
    void shouldCatchUpToTheSameDocumentsOnResume() throws Exception {
        var resumed = local.admin("POST", "us-east", "/admin/regions/eu-west/resume", null);
        assertEquals(200, resumed.statusCode(), resumed.body());
        JsonNode resume = Json.readTree(resumed.body().getBytes());
        assertFalse(resume.path("paused").asBoolean(), resumed.body());
        assertTrue(resume.path("changed").asBoolean(), resumed.body());
        var again = local.admin("POST", "ap-south", "/admin/regions/eu-west/resume", null);
        assertFalse(Json.readTree(again.body().getBytes()).path("changed").asBoolean(), "idempotent: " + again.body());

        for (var entry : WRITTEN_WHILE_PAUSED.entrySet()) {
            var mine = send("GET", local.url("eu-west") + "/v1/tenants/acme/docs/" + entry.getKey(), null,
                    "X-Meridian-Min-Position", entry.getValue());
            var primary = send("GET", local.url("us-east") + "/v1/tenants/acme/docs/" + entry.getKey(), null);
            assertEquals(200, mine.statusCode(), mine.body());
            assertEquals(Json.readTree(primary.body().getBytes()), Json.readTree(mine.body().getBytes()));
            assertEquals(primary.headers().firstValue("X-Meridian-Position"),
                    mine.headers().firstValue("X-Meridian-Position"));
            assertTrue(mine.headers().firstValue("X-Meridian-Replication-Paused").isEmpty());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode euWest = health("ap-south").path("regions").path("eu-west");
            long lag = euWest.path("lagEntries").asLong(-1);
            return !euWest.path("paused").asBoolean() && lag >= 0 && lag < 30;
        });
        assertEveryWriteReadable("eu-west");
    }

    private static JsonNode pauseState(String region, String via) throws Exception {
        var answer = local.admin("GET", via, "/admin/regions/" + region, null);
        assertEquals(200, answer.statusCode(), answer.body());
        return Json.readTree(answer.body().getBytes());
    }

    private static JsonNode health(String via) throws Exception {
        return Json.readTree(send("GET", local.url(via) + "/v1/replication/health", null).body().getBytes());
    }

    private static long applied(String region, String partition) throws Exception {
        var answer = send("GET", local.url(region) + "/v1/replication/applied?position=" + partition + ":0", null);
        assertEquals(200, answer.statusCode(), answer.body());
        return Json.readTree(answer.body().getBytes()).path("appliedOffset").asLong();
    }

    @Test
    @Order(10)
    void shouldPauseAutomaticFailoverClusterWideThroughAnyNodeAndShowItOnEveryNode() throws Exception {
        String path = "/admin/replication/automatic-failover";
        var paused = local.admin("POST", "ap-south", path + "/pause", "{\"reason\":\"integration test\"}");
        assertEquals(200, paused.statusCode(), paused.body());
        assertTrue(Json.readTree(paused.body().getBytes()).path("changed").asBoolean(), paused.body());
        // Kept in meridian.regions: every node (the controller too, wherever it is) reads it.
        for (String region : List.of("us-east", "eu-west", "ap-south")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> automaticFailover(region).path("paused").asBoolean());
            assertEquals("integration test", automaticFailover(region).path("reason").asText());
        }
        var resumed = local.admin("POST", "us-east", path + "/resume", null);
        assertEquals(200, resumed.statusCode(), resumed.body());
        for (String region : List.of("us-east", "eu-west", "ap-south")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !automaticFailover(region).path("paused").asBoolean());
        }
    }

    // docs/disaster-recovery.md, driven: each command is taken from the runbook (Runbook.run refuses others).
    private static final Runbook RUNBOOK = new Runbook(local);

    @Test
    @Order(11)
    void runbookManualFailoverWithItsPreChecksVerificationAndFailback() throws Exception {
        // 1. Pre-checks: healthy (exit 0), a controller, nothing paused, no migration running; the dry run names acme.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                RUNBOOK.run("ap-south", "bin/meridianctl replication health").exitCode() == 0);
        assertRunbook(0, "ap-south", "bin/meridianctl replication election");
        assertRunbook(0, "ap-south", "bin/meridianctl region list");
        assertRunbook(0, "ap-south", "bin/meridianctl migrate list --active");
        assertRunbook(0, "ap-south", "bin/meridianctl replication pause-failover"
                + " --reason \"manual failover of us-east, OPS-42\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> automaticFailover("ap-south").path("paused").asBoolean());
        var dryRun = assertRunbook(0, "ap-south", "bin/meridianctl replication failover us-east --dry-run");
        assertTrue(dryRun.out().contains("acme"), dryRun.toString());
        assertEquals("us-east", local.placement("acme", "ap-south").path("primary").asText(), "a dry run moves nothing");

        // 2. Fail over.
        var failover = assertRunbook(0, "ap-south", "bin/meridianctl replication failover us-east --target eu-west --yes");
        assertTrue(failover.out().contains("acme") && failover.out().contains("eu-west"), failover.toString());

        // 3. Verify: the new primary, writes accepted there and redirected from us-east, replicas consistent.
        var placement = assertRunbook(0, "ap-south", "bin/meridianctl tenants get acme");
        assertTrue(placement.out().contains("eu-west"), placement.toString());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                local.placement("acme", "us-east").path("primary").asText().equals("eu-west"));
        var written = send("PUT", local.url("eu-west") + "/v1/tenants/acme/docs/doc-failover", "{\"n\":-1}");
        assertEquals(201, written.statusCode(), written.body());
        assertEquals(307, send("PUT", local.url("us-east") + "/v1/tenants/acme/docs/doc-failover", "{}").statusCode());
        assertConsistent("acme");

        // 4. Failback through a migration; automatic failover resumed.
        assertRunbook(0, "ap-south", "bin/meridianctl migrate start acme --to us-east --dry-run");
        assertEquals("eu-west", local.placement("acme", "ap-south").path("primary").asText(), "a dry run moves nothing");
        assertRunbook(0, "ap-south", "bin/meridianctl migrate start acme --to us-east --wait");
        var back = assertRunbook(0, "ap-south", "bin/meridianctl tenants get acme");
        assertTrue(back.out().contains("us-east"), back.toString());
        assertEquals("us-east", local.placement("acme", "ap-south").path("primary").asText());
        assertRunbook(0, "ap-south", "bin/meridianctl replication resume-failover");
        await().atMost(Duration.ofSeconds(10)).until(() -> !automaticFailover("ap-south").path("paused").asBoolean());
        var again = send("PUT", local.url("us-east") + "/v1/tenants/acme/docs/doc-failback", "{\"n\":-2}");
        assertEquals(201, again.statusCode(), again.body());
        assertEveryWriteReadable("eu-west");
    }

    @Test
    @Order(12)
    void runbookReconciliationResyncsOneRegionsCopyOfATenantFromItsPrimary() throws Exception {
        assertRunbook(0, "ap-south", "bin/meridianctl tenants place acme --primary us-east --replicas us-east,eu-west");
        await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", local.url("ap-south")
                + "/v1/tenants/acme/docs/doc-0", null).statusCode() == 307);  // no longer a replica: its copy dropped
        long epoch = local.placement("acme", "us-east").path("epoch").asLong();
        assertRunbook(0, "ap-south",
                "bin/meridianctl tenants place acme --primary us-east --replicas us-east,eu-west,ap-south");
        awaitSynced("ap-south", epoch);  // adding the region is one change, clearing syncing another
        assertConsistent("acme");
        assertEveryWriteReadable("ap-south");
    }

    @Test
    @Order(13)
    void runbookReseedsARegionAndRefusesToReseedAPrimaryRegion() throws Exception {
        var refused = RUNBOOK.runUndocumented("ap-south", "bin/meridianctl region reseed us-east");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("region_is_primary"), refused.toString());

        long epoch = local.placement("acme", "us-east").path("epoch").asLong();
        assertRunbook(0, "ap-south", "bin/meridianctl region reseed ap-south");
        assertRunbook(0, "ap-south", "bin/meridianctl sync list");
        awaitSynced("ap-south", epoch);
        assertConsistent("acme");
        assertEveryWriteReadable("ap-south");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                RUNBOOK.run("ap-south", "bin/meridianctl replication health").exitCode() == 0);
    }

    private static Runbook.Result assertRunbook(int exitCode, String via, String line) {
        var result = RUNBOOK.run(via, line);
        assertEquals(exitCode, result.exitCode(), result.toString());
        return result;
    }

    /**
     * The runbook's watch of acme's sync into {@code region}: exit 0 once caught up (a sync not started yet: asked
     * again), and the placement moved past {@code epochBefore} by two changes (syncing listed, then cleared).
     */
    private static void awaitSynced(String region, long epochBefore) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode placement = local.placement("acme", "us-east");
            return placement.path("epoch").asLong() >= epochBefore + 2
                    && !placement.path("syncing").toString().contains(region);
        });
        var watched = assertRunbook(0, region, "bin/meridianctl sync status acme --region " + region + " --watch");
        assertTrue(watched.out().contains("caught"), watched.toString());
    }

    /** The runbook's consistency check: exit 0 (consistent); 3 (a region not at the position yet) is asked again. */
    private static void assertConsistent(String tenant) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var verify = RUNBOOK.run("ap-south", "bin/meridianctl verify --tenant " + tenant);
            assertTrue(verify.exitCode() == 0 || verify.exitCode() == 3, verify.toString());  // never 10: divergent
            return verify.exitCode() == 0 && verify.out().contains("consistent");
        });
    }

    private static JsonNode automaticFailover(String region) throws Exception {
        var health = send("GET", local.url(region) + "/v1/replication/health", null);
        return Json.readTree(health.body().getBytes()).path("automaticFailover");
    }

    private static void assertError(java.net.http.HttpResponse<String> answer, int status, String code) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertEquals(code, Json.readTree(answer.body().getBytes()).path("error").path("code").asText(), answer.body());
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
