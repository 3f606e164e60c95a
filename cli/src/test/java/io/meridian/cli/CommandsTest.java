package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.api.AutomaticFailoverReport;
import io.meridian.infra.api.RegionHealthReport;
import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every HTTP command against a stub node: the request it sends, what it prints, how errors map to exit codes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandsTest {
    static final String ACME = "{\"tenant\":\"acme\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
            + "\"epoch\":3,\"writes\":\"active\",\"strategy\":\"reject\",\"mode\":\"single-primary\"}";
    static final String GLOBEX = "{\"tenant\":\"globex-international\",\"primary\":\"ap-south\",\"replicas\":"
            + "[\"ap-south\"],\"epoch\":12,\"writes\":\"paused\",\"strategy\":\"lww\",\"mode\":\"multi-primary\"}";

    @TempDir
    Path home;

    private StubNode node;
    private Cli cli;

    @BeforeEach
    void start() {
        node = new StubNode();
        cli = new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_ADMIN_TOKEN", "secret"), home);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static JsonNode json(String text) {
        return Json.readTree(text.getBytes(StandardCharsets.UTF_8));
    }

    // --- tenants

    @Test
    void tenantsListGetsTenantsWithTokenAndPrintsAlignedColumns() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "," + GLOBEX + "]}");
        Cli.Result result = cli.run("tenants", "list");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("GET", request.method());
        assertEquals("/admin/tenants", request.path());
        assertEquals("Bearer secret", request.authorization());
        List<String> lines = result.lines();
        assertEquals(3, lines.size(), result::toString);
        assertTrue(lines.get(0).startsWith("TENANT"), result::toString);
        int primaryColumn = lines.get(0).indexOf("PRIMARY");
        assertEquals(primaryColumn, lines.get(1).indexOf("us-east"), "columns line up:\n" + result.out());
        assertEquals(primaryColumn, lines.get(2).indexOf("ap-south"), "columns line up:\n" + result.out());
        assertTrue(lines.get(1).contains("us-east,eu-west"), result::toString);
        assertTrue(lines.get(2).contains("paused"), result::toString);
    }

    @Test
    void tenantsListAsJsonPrintsTheNodesDocument() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "]}");
        Cli.Result result = cli.run("tenants", "list", "-o", "json");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{\"tenants\":[" + ACME + "]}"), json(result.out()));
    }

    @Test
    void tenantsGetGetsThePlacement() {
        node.answer("GET", "/admin/tenants/acme/placement", 200, ACME);
        Cli.Result result = cli.run("tenants", "get", "acme");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("/admin/tenants/acme/placement", node.onlyRequest().path());
        assertTrue(result.out().contains("primary:"), result::toString);
        assertTrue(result.out().matches("(?s).*replicas:\\s+us-east,eu-west.*"), result::toString);
    }

    @Test
    void tenantsPlacePutsThePlacementWithStrategyAndMode() {
        node.answer("PUT", "/admin/tenants/acme/placement", 201, ACME);
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas",
                "us-east,eu-west", "--strategy", "lww", "--mode", "multi-primary");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("PUT", request.method());
        assertEquals("application/json", request.contentType());
        assertEquals(json("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],\"strategy\":\"lww\","
                + "\"mode\":\"multi-primary\"}"), json(request.body()));
        assertTrue(result.out().startsWith("created placement of acme"), result::toString);
    }

    @Test
    void tenantsPlaceAddsThePrimaryToTheReplicasAndLeavesDefaultsToTheNode() {
        node.answer("PUT", "/admin/tenants/acme/placement", 200, ACME);
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas", "eu-west");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}"),
                json(node.onlyRequest().body()));
    }

    @Test
    void tenantsPlaceSendsTheWriteConcern() {
        node.answer("PUT", "/admin/tenants/acme/placement", 200, ACME);
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas",
                "us-east,eu-west", "--write-concern", "regions=2");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"],"
                + "\"write_concern\":\"regions=2\"}"), json(node.onlyRequest().body()));
    }

    @Test
    void tenantsPlaceRefusesAMalformedWriteConcernWithoutCallingTheNode() {
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas", "us-east",
                "--write-concern", "most");
        assertEquals(ExitCode.USAGE, result.exitCode(), result::toString);
        assertTrue(result.err().contains("most"), result::toString);
        assertTrue(node.requests().isEmpty());
    }

    @Test
    void tenantsPlaceRefusesAnUnknownStrategyWithoutCallingTheNode() {
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas", "us-east",
                "--strategy", "newest");
        assertEquals(ExitCode.USAGE, result.exitCode(), result::toString);
        assertTrue(result.err().contains("newest"), result::toString);
        assertTrue(node.requests().isEmpty());
    }

    // --- replication

    @Test
    void replicationElectionShowsTheLeader() {
        node.answer("GET", "/admin/replication/election", 200, "{\"backend\":\"zookeeper\",\"state\":\"follower\","
                + "\"epoch\":7,\"hasQuorum\":true,\"leaderNodeId\":\"eu-west-1\",\"leaderRegion\":\"eu-west\","
                + "\"leaderUrl\":\"http://127.0.0.1:8082\",\"self\":{\"nodeId\":\"us-east-1\",\"region\":\"us-east\","
                + "\"url\":\"http://127.0.0.1:8081\",\"priority\":0},\"since\":1700000000000}");
        Cli.Result result = cli.run("replication", "election");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("/admin/replication/election", node.onlyRequest().path());
        assertTrue(result.out().matches("(?s).*leader:\\s+eu-west-1 \\(eu-west\\) http://127.0.0.1:8082.*"),
                result::toString);
        assertTrue(result.out().matches("(?s).*epoch:\\s+7.*"), result::toString);
        assertTrue(result.out().contains("2023-11-14 22:13:20Z ("), "for people: " + result);
    }

    /** A health answer as the node writes it: the regions and the automatic failover in the shared response types. */
    static String health(String status, AutomaticFailoverReport automatic, Map<String, RegionHealthReport> regions) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("status", status);
        body.put("region", "us-east");
        body.put("regions", regions);
        body.put("automaticFailover", automatic);
        return Json.writeString(body);
    }

    static final AutomaticFailoverReport FAILOVER_ON = new AutomaticFailoverReport(true, false, null, null, "", "",
            null);

    @Test
    void replicationHealthShowsEveryRegionWithItsHeartbeatAgeAndExitsNonZeroUnlessHealthy() {
        Map<String, RegionHealthReport> regions = new java.util.LinkedHashMap<>();
        regions.put("us-east", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 250L,
                List.of("us-east-1")));
        regions.put("ap-south", new RegionHealthReport("unhealthy", false, false, false, null, 420L, 12.5, 31_000L,
                List.of()));
        regions.put("eu-west", new RegionHealthReport("suspect", false, false, false, null, null, null, null,
                List.of()));
        node.answer("GET", "/v1/replication/health", 200, health("degraded", FAILOVER_ON, regions));
        Cli.Result result = cli.run("replication", "health");
        assertEquals(ExitCode.NOT_HEALTHY, result.exitCode(), result::toString);
        assertEquals("/v1/replication/health", node.onlyRequest().path());
        List<String> lines = result.lines();
        assertEquals("status: degraded", lines.get(0));
        assertEquals("automatic failover: on", lines.get(1));
        assertTrue(lines.get(2).startsWith("REGION"), result::toString);
        assertTrue(lines.get(3).matches("us-east\\s+healthy\\s+true\\s+0\\s+0.0\\s+250ms\\s+-"), result::toString);
        assertTrue(lines.get(4).matches("ap-south\\s+unhealthy\\s+false\\s+420\\s+12.5\\s+31.0s\\s+-"),
                result::toString);
        assertTrue(lines.get(5).matches("eu-west\\s+suspect\\s+false\\s+-\\s+-\\s+-\\s+-"), result::toString);

        regions.replaceAll((name, r) -> new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 300L,
                List.of()));
        node.answer("GET", "/v1/replication/health", 200, health("healthy", FAILOVER_ON, regions));
        assertEquals(ExitCode.OK, cli.run("replication", "health").exitCode());
        assertEquals(ExitCode.OK, cli.run("-o", "json", "replication", "health").exitCode());
        node.answer("GET", "/v1/replication/health", 200, health("unhealthy", FAILOVER_ON, regions));
        assertEquals(ExitCode.NOT_HEALTHY, cli.run("-o", "json", "replication", "health").exitCode(),
                "scripts get the verdict from the exit code in JSON too");
    }

    @Test
    void replicationHealthSaysWhenAutomaticFailoverIsPaused() {
        node.answer("GET", "/v1/replication/health", 200, health("healthy", new AutomaticFailoverReport(true, true,
                "2026-12-03T11:40:00Z", 1796298000000L, "network maintenance", "us-east/us-east-1", null), Map.of()));
        Cli.Result result = cli.run("replication", "health");
        assertTrue(result.lines().get(1).startsWith("automatic failover: PAUSED since 2026-12-03 11:40:00Z ("),
                result::toString);
        assertTrue(result.lines().get(1).contains("by us-east/us-east-1: network maintenance"), result::toString);
    }

    @Test
    void pauseAndResumeFailoverPostTheIntentAndSayWhatChanged() {
        node.answer("POST", "/admin/replication/automatic-failover/pause", 200, Json.writeString(
                new AutomaticFailoverReport(true, true, "2026-12-03T11:40:00Z", 1796298000000L, "maintenance",
                        "us-east/n1", true)));
        Cli.Result paused = cli.run("replication", "pause-failover", "--reason", "maintenance");
        assertEquals(0, paused.exitCode(), paused::toString);
        assertEquals("Bearer secret", node.onlyRequest().authorization());
        assertEquals(json("{\"reason\":\"maintenance\"}"), json(node.onlyRequest().body()));
        assertEquals("automatic failover paused", paused.lines().get(0));

        node.answer("POST", "/admin/replication/automatic-failover/resume", 200, Json.writeString(
                new AutomaticFailoverReport(true, false, "2026-12-03T11:50:00Z", 1796298600000L, "", "us-east/n1",
                        false)));
        Cli.Result resumed = cli.run("replication", "resume-failover");
        assertEquals(0, resumed.exitCode(), resumed::toString);
        assertEquals("automatic failover was already running; nothing changed", resumed.lines().get(0));
        assertEquals("automatic failover: on", resumed.lines().get(1));
    }

    @Test
    void replicationHealthPrintsTheNodesErrorWhenTheEndpointIsMissing() {
        Cli.Result result = cli.run("replication", "health");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertEquals("error: not_found: no such endpoint: /v1/replication/health\n", result.err());
        assertEquals("", result.out());
    }

    @Test
    void replicationFailoverPostsTheRequestAndPrintsOldAndNewPrimaries() {
        node.answer("POST", "/admin/replication/failover", 200, "{\"region\":\"us-east\",\"tenants\":["
                + "{\"tenant\":\"acme\",\"oldPrimary\":\"us-east\",\"newPrimary\":\"eu-west\",\"epoch\":4,"
                + "\"outcome\":\"promoted\",\"reason\":\"highest applied position\"},"
                + "{\"tenant\":\"solo\",\"oldPrimary\":\"us-east\",\"newPrimary\":\"us-east\",\"epoch\":2,"
                + "\"outcome\":\"no_candidate\",\"reason\":\"no healthy replica\"}],\"event\":{}}");
        Cli.Result result = cli.run("replication", "failover", "us-east", "--target", "eu-west", "--ignore-inhibit",
                "--yes");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("POST", request.method());
        assertEquals(json("{\"region\":\"us-east\",\"target\":\"eu-west\",\"force\":true}"), json(request.body()));
        assertTrue(result.out().contains("acme    us-east -> eu-west"), result::toString);
        assertTrue(result.out().contains("no_candidate"), result::toString);
    }

    @Test
    void replicationFailoverWithoutTargetLetsTheControllerChoose() {
        node.answer("POST", "/admin/replication/failover", 200, "{\"region\":\"us-east\",\"tenants\":[]}");
        Cli.Result result = cli.runTyping("y\n", "replication", "failover", "us-east");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.err().contains("Fail over region us-east?"), result::toString);
        assertEquals(json("{\"region\":\"us-east\",\"force\":false}"), json(node.onlyRequest().body()));
        assertTrue(result.out().contains("no tenant has its primary there"), result::toString);
    }

    @Test
    void replicationFailoverInsideTheInhibitWindowIsAServerError() {
        node.answer("POST", "/admin/replication/failover", 409, "{\"error\":{\"code\":\"inhibited\",\"message\":"
                + "\"region 'us-east' was failed over recently\",\"region\":\"us-east\"}}");
        Cli.Result result = cli.run("replication", "failover", "us-east", "-y");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertEquals("error: inhibited: region 'us-east' was failed over recently\n", result.err());
    }

    @Test
    void replicationFailoverSendsNothingUnlessConfirmed() {
        node.answer("POST", "/admin/replication/failover", 200, "{\"region\":\"us-east\",\"tenants\":[]}");
        Cli.Result refused = cli.runTyping("n\n", "replication", "failover", "us-east");
        assertEquals(ExitCode.ABORTED, refused.exitCode(), refused::toString);
        Cli.Result noAnswer = cli.run("replication", "failover", "us-east");  // nothing typed, no terminal
        assertEquals(ExitCode.ABORTED, noAnswer.exitCode(), noAnswer::toString);
        assertTrue(noAnswer.err().contains("not_confirmed") && noAnswer.err().contains("--yes"), noAnswer::toString);
        assertEquals(List.of(), node.requests(), "nothing sent");
    }

    @Test
    void replicationFailoverKeepsForceAsADeprecatedAliasOfIgnoreInhibit() {
        node.answer("POST", "/admin/replication/failover", 200, "{\"region\":\"us-east\",\"tenants\":[]}");
        Cli.Result result = cli.run("replication", "failover", "us-east", "--force", "--yes");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{\"region\":\"us-east\",\"force\":true}"), json(node.onlyRequest().body()));
        assertTrue(result.err().contains("--force is deprecated; use --ignore-inhibit"), result::toString);
    }

    @Test
    void replicationFailoverDryRunShowsWhatWouldMoveAndSendsNoChange() {
        Map<String, RegionHealthReport> regions = new java.util.LinkedHashMap<>();
        regions.put("us-east", new RegionHealthReport("unhealthy", false, false, false, null, null, null, 42_000L,
                List.of()));
        regions.put("eu-west", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 200L, List.of()));
        regions.put("ap-south", new RegionHealthReport("healthy", true, false, true, "2026-12-03T05:00:00Z", 0L, 0.0,
                200L, List.of()));
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "," + GLOBEX + "]}")
                .answer("GET", "/v1/replication/health", 200, health("unhealthy", FAILOVER_ON, regions));
        Cli.Result result = cli.run("replication", "failover", "us-east", "--dry-run");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.lines().get(0).startsWith("dry run, nothing sent: failover of us-east (unhealthy, last"
                + " heartbeat 42.0s ago)"), result::toString);
        assertTrue(result.out().matches("(?s).*acme\\s+us-east,eu-west\\s+eu-west\\s+moves.*"), result::toString);
        assertFalse(result.out().contains("globex"), "its primary is elsewhere: " + result);
        assertTrue(node.requests().stream().allMatch(r -> r.method().equals("GET")), node.requests().toString());
    }

    @Test
    void regionEvacuateMovesEveryPrimaryOffTheRegionWithAPerTenantResult() {
        Map<String, RegionHealthReport> regions = new java.util.LinkedHashMap<>();
        regions.put("us-east", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 100L, List.of()));
        regions.put("eu-west", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 100L, List.of()));
        regions.put("ap-south", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 100L,
                List.of()));
        String initech = "{\"tenant\":\"initech\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\","
                + "\"ap-south\"],\"epoch\":1}";
        String solo = "{\"tenant\":\"solo\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"epoch\":1}";
        node.answer("GET", "/v1/replication/health", 200, health("healthy", FAILOVER_ON, regions))
                .answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "," + initech + "," + solo + "]}")
                .answer("POST", "/admin/tenants/acme/migrate", 202, "{\"id\":\"m-a\",\"state\":\"requested\"}")
                .answer("POST", "/admin/tenants/initech/migrate", 202, "{\"id\":\"m-i\",\"state\":\"requested\"}")
                .answer("GET", "/admin/migrations/m-a", 200, "{\"id\":\"m-a\",\"state\":\"completed\"}")
                .answer("GET", "/admin/migrations/m-i", 200, "{\"id\":\"m-i\",\"state\":\"completed\"}");

        Cli.Result plan = cli.run("region", "evacuate", "us-east", "--dry-run");
        assertEquals(0, plan.exitCode(), plan::toString);
        assertTrue(plan.out().matches("(?s).*acme\\s+eu-west.*"), plan::toString);
        assertTrue(plan.out().matches("(?s).*initech\\s+ap-south.*"), "the replica with fewer primaries: " + plan);
        assertTrue(plan.out().matches("(?s).*solo\\s+-\\s+no healthy, running replica.*"), plan::toString);
        assertTrue(node.requests().stream().allMatch(r -> r.method().equals("GET")), "a dry run sends no change");

        Cli.Result result = cli.run("region", "evacuate", "us-east", "--yes", "--parallel", "1");
        assertEquals(ExitCode.MIGRATION_FAILED, result.exitCode(), "solo cannot move: " + result);
        List<StubNode.Request> migrations = node.requests().stream().filter(r -> r.method().equals("POST")).toList();
        assertEquals(2, migrations.size(), migrations.toString());
        assertEquals("eu-west", json(migrations.get(0).body()).path("to_region").asText());
        assertEquals("ap-south", json(migrations.get(1).body()).path("to_region").asText());
        assertTrue(result.out().contains("[1/3] solo  skipped  no healthy, running replica"), result::toString);
        assertTrue(result.out().contains("[2/3] acme -> eu-west  completed"), result::toString);
        assertTrue(result.out().matches("(?s).*2 of 3 tenant\\(s\\) moved; not moved: \\[solo\\] \\(.* tenants/s.*"),
                result::toString);
    }

    /** Twelve tenants on us-east, listed in two pages, each with eu-west as its only other replica. */
    private void evacuationStub(int serverBound, java.util.concurrent.atomic.AtomicInteger maxActive) {
        Map<String, RegionHealthReport> regions = new java.util.LinkedHashMap<>();
        regions.put("us-east", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 100L, List.of()));
        regions.put("eu-west", new RegionHealthReport("healthy", true, false, false, null, 0L, 0.0, 100L, List.of()));
        List<String> tenants = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tenants.add(String.format("{\"tenant\":\"t-%02d\",\"primary\":\"us-east\",\"replicas\":[\"us-east\","
                    + "\"eu-west\"],\"epoch\":1}", i));
        }
        java.util.Set<String> active = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Map<String, Integer> polls = new java.util.concurrent.ConcurrentHashMap<>();
        node.answer("GET", "/v1/replication/health", 200, health("healthy", FAILOVER_ON, regions))
                .compute("GET", "/admin/tenants", r -> r.query().contains("cursor=t-05")
                        ? new StubNode.Answer(200, "{\"tenants\":[" + String.join(",", tenants.subList(6, 12)) + "]}")
                        : new StubNode.Answer(200, "{\"tenants\":[" + String.join(",", tenants.subList(0, 6))
                                + "],\"next\":\"t-05\"}"))
                .compute("POST", "/admin/tenants/", r -> {
                    String tenant = r.path().split("/")[3];
                    synchronized (active) {
                        if (active.size() >= serverBound) {
                            return new StubNode.Answer(429, "{\"error\":{\"code\":\"too_many_migrations\","
                                    + "\"message\":\"region us-east already takes part in " + active.size() + "\"}}",
                                    Map.of("Retry-After", "1"));
                        }
                        active.add(tenant);
                        maxActive.accumulateAndGet(active.size(), Math::max);
                    }
                    return new StubNode.Answer(202, "{\"id\":\"m-" + tenant + "\",\"state\":\"requested\"}");
                })
                .compute("GET", "/admin/migrations/m-", r -> {
                    String tenant = r.path().substring("/admin/migrations/m-".length());
                    if (polls.merge(tenant, 1, Integer::sum) < 2) {
                        return new StubNode.Answer(200, "{\"id\":\"m-" + tenant + "\",\"state\":\"draining\","
                                + "\"active\":true}");
                    }
                    active.remove(tenant);
                    return new StubNode.Answer(200, "{\"id\":\"m-" + tenant + "\",\"state\":\"completed\","
                            + "\"active\":false,\"reason\":\"primary is eu-west, writes active; writes were paused"
                            + " 120 ms\"}");
                });
    }

    @Test
    void regionEvacuateRunsSeveralMigrationsAtOnceButNeverMoreThanParallel() {
        java.util.concurrent.atomic.AtomicInteger maxActive = new java.util.concurrent.atomic.AtomicInteger();
        evacuationStub(Integer.MAX_VALUE, maxActive);

        Cli.Result result = cli.run("region", "evacuate", "us-east", "--yes", "--parallel", "3");

        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(3, maxActive.get(), "three at once, never more: " + result);
        assertEquals(12, node.requests().stream().filter(r -> r.method().equals("POST")).count());
        assertTrue(result.out().contains("[12/12] t-"), result::toString);
        assertTrue(result.out().contains("completed  in "), result::toString);
        assertTrue(result.out().contains("writes were paused 120 ms"), result::toString);
        assertTrue(result.out().contains("evacuation of us-east: 12 of 12 tenant(s) moved ("), result::toString);
        assertTrue(node.requests().stream().anyMatch(r -> r.path().equals("/admin/tenants")
                && r.query().contains("cursor=t-05")), "the second page of tenants was read");
    }

    @Test
    void regionEvacuateWaitsAndSendsAgainWhenTheControllerIsAtItsBound() {
        java.util.concurrent.atomic.AtomicInteger maxActive = new java.util.concurrent.atomic.AtomicInteger();
        evacuationStub(2, maxActive);

        Cli.Result result = cli.run("-o", "json", "region", "evacuate", "us-east", "--yes", "--parallel", "6");

        assertEquals(0, result.exitCode(), "429 too_many_migrations is no failure: " + result);
        assertEquals(2, maxActive.get());
        assertTrue(node.requests().stream().filter(r -> r.method().equals("POST")).count() > 12, "some sent again");
        List<JsonNode> lines = result.lines().stream().map(CommandsTest::json).toList();
        assertEquals(12, lines.size(), result::toString);
        assertTrue(lines.stream().allMatch(l -> l.path("outcome").asText().equals("completed")), result::toString);
        assertEquals(12, lines.get(11).path("done").asInt());
        assertEquals(0, lines.get(11).path("remaining").asInt());
    }

    @Test
    void regionEvacuateRefusesAParallelOutOfRangeBeforeSendingAnything() {
        Cli.Result result = cli.run("region", "evacuate", "us-east", "--yes", "--parallel", "0");
        assertEquals(ExitCode.USAGE, result.exitCode(), result::toString);
        assertTrue(result.err().contains("invalid_parallel"), result::toString);
        assertEquals(List.of(), node.requests());
    }

    // --- global options

    @Test
    void tokenFileKeepsTheTokenOutOfTheCommandLine() throws Exception {
        java.nio.file.Path file = home.resolve("token");
        java.nio.file.Files.writeString(file, "from-file\n");
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[]}");
        assertEquals(0, new Cli(Map.of("MERIDIAN_URL", node.url()), home)
                .run("--token-file", file.toString(), "tenants", "list").exitCode());
        assertEquals("Bearer from-file", node.requests().get(0).authorization());
        assertEquals(0, new Cli(Map.of("MERIDIAN_URL", node.url(), "MERIDIAN_TOKEN_FILE", file.toString()), home)
                .run("tenants", "list").exitCode());
        assertEquals("Bearer from-file", node.requests().get(1).authorization());
        Cli.Result missing = cli.run("--token-file", home.resolve("nope").toString(), "tenants", "list");
        assertEquals(ExitCode.USAGE, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("invalid_token_file"), missing::toString);
    }

    @Test
    void generatesShellCompletion() {
        Cli.Result result = cli.run("generate-completion");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("complete -F") && result.out().contains("meridianctl"), "a bash script");
        assertTrue(result.out().contains("pause-failover"), "knows the subcommands");
    }

    @Test
    void commandConfigIsReadForKafkaCommandsAndAMissingFileIsAUsageError() throws Exception {
        java.nio.file.Path file = home.resolve("client.properties");
        java.nio.file.Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        MeridianCtl ctl = new MeridianCtl(Map.of(), List.of(home));
        picocli.CommandLine line = MeridianCtl.commandLine(ctl);
        line.parseArgs("--command-config", file.toString(), "events", "tail");
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"), ctl.kafkaSettings());
        Cli.Result missing = cli.run("--command-config", home.resolve("nope").toString(), "--bootstrap",
                "127.0.0.1:1", "events", "tail");
        assertEquals(ExitCode.USAGE, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("invalid_command_config"), missing::toString);
    }

    // --- region

    static final String EU_PAUSED = "{\"region\":\"eu-west\",\"paused\":true,\"since\":\"2026-12-03T05:00:00Z\","
            + "\"sinceMillis\":1796187600000,\"reason\":\"disk swap\",\"requestedBy\":\"us-east/n1\","
            + "\"lagEntries\":42,\"lagSeconds\":3.5";

    @Test
    void regionPausePostsTheReasonAndSaysItPaused() {
        node.answer("POST", "/admin/regions/eu-west/pause", 200, EU_PAUSED + ",\"changed\":true}");
        Cli.Result result = cli.run("region", "pause", "eu-west", "--reason", "disk swap");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("POST", request.method());
        assertEquals("Bearer secret", request.authorization());
        assertEquals(json("{\"reason\":\"disk swap\"}"), json(request.body()));
        assertTrue(result.out().startsWith("region eu-west paused\n"), result::toString);
        assertTrue(result.out().contains("disk swap"), result::toString);
    }

    @Test
    void regionPauseOfAPausedRegionSaysNothingChanged() {
        node.answer("POST", "/admin/regions/eu-west/pause", 200, EU_PAUSED + ",\"changed\":false}");
        Cli.Result result = cli.run("region", "pause", "eu-west");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{}"), json(node.onlyRequest().body()));
        assertTrue(result.out().startsWith("region eu-west was already paused; nothing changed"), result::toString);
    }

    @Test
    void regionResumePostsAndSaysItResumed() {
        node.answer("POST", "/admin/regions/eu-west/resume", 200, "{\"region\":\"eu-west\",\"paused\":false,"
                + "\"since\":\"2026-12-03T05:10:00Z\",\"reason\":\"\",\"changed\":true}");
        Cli.Result result = cli.run("region", "resume", "eu-west");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("/admin/regions/eu-west/resume", node.onlyRequest().path());
        assertTrue(result.out().startsWith("region eu-west resumed\n"), result::toString);
    }

    @Test
    void regionListPrintsEveryRegionAsATable() {
        node.answer("GET", "/admin/regions", 200, "{\"regions\":[" + EU_PAUSED + "},{\"region\":\"us-east\","
                + "\"paused\":false,\"since\":null,\"reason\":\"\",\"requestedBy\":\"\",\"lagEntries\":0,"
                + "\"lagSeconds\":0.0}]}");
        Cli.Result result = cli.run("region", "list");
        assertEquals(0, result.exitCode(), result::toString);
        List<String> lines = result.lines();
        assertEquals(3, lines.size(), result::toString);
        assertTrue(lines.get(0).startsWith("REGION"), result::toString);
        assertTrue(lines.get(1).matches("eu-west\\s+true\\s+2026-12-03 05:00:00Z \\(.* ago\\)\\s+42.*"), result::toString);
        assertTrue(lines.get(2).matches("us-east\\s+false\\s+-\\s+0.*"), result::toString);
    }

    @Test
    void regionPauseOfAnUnknownRegionIsAServerErrorWithTheCode() {
        node.answer("POST", "/admin/regions/mars/pause", 404, "{\"error\":{\"code\":\"region_not_found\","
                + "\"message\":\"region 'mars' is not a region of this deployment\"}}");
        Cli.Result result = cli.run("region", "pause", "mars");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertEquals("error: region_not_found: region 'mars' is not a region of this deployment\n", result.err());
    }

    @Test
    void regionWithoutASubcommandIsAUsageError() {
        Cli.Result result = cli.run("region");
        assertEquals(ExitCode.USAGE, result.exitCode(), result::toString);
        assertTrue(result.err().contains("pause"), result::toString);
    }

    // --- migrate

    static final String MIGRATION = "{\"id\":\"m-1\",\"tenant\":\"acme\",\"state\":\"requested\","
            + "\"from\":\"us-east\",\"to\":\"eu-west\"}";

    @Test
    void migrateListActiveShowsOnlyUnfinishedMigrationsOfEveryTenant() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "," + GLOBEX + "]}")
                .answer("GET", "/admin/tenants/acme/migrations", 200, "{\"migrations\":["
                        + "{\"id\":\"m-old\",\"tenant\":\"acme\",\"state\":\"completed\",\"active\":false},"
                        + "{\"id\":\"m-now\",\"tenant\":\"acme\",\"state\":\"draining\",\"active\":true,"
                        + "\"requestedAt\":1796298000000}]}")
                .answer("GET", "/admin/tenants/globex-international/migrations", 200, "{\"migrations\":["
                        + "{\"id\":\"m-gone\",\"tenant\":\"globex-international\",\"state\":\"failed\"}]}");
        Cli.Result result = cli.run("migrate", "list", "--active");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(2, result.lines().size(), result::toString);
        assertTrue(result.lines().get(1).startsWith("m-now"), result::toString);
        assertTrue(result.out().contains("2026-12-03 11:40:00Z ("), "requestedAt for people: " + result);
        Cli.Result acme = cli.run("migrate", "list", "acme");
        assertEquals(3, acme.lines().size(), "without --active, ended ones too: " + acme);
        assertEquals(ExitCode.USAGE, cli.run("migrate", "list").exitCode(), "a tenant or --active");
    }

    @Test
    void migrateStartWaitFollowsTheMigrationUntilItEnds() {
        node.answer("POST", "/admin/tenants/acme/migrate", 202, MIGRATION)
                .answer("GET", "/admin/migrations/m-1", 200, "{\"id\":\"m-1\",\"tenant\":\"acme\","
                        + "\"state\":\"completed\",\"active\":false}");
        Cli.Result completed = cli.run("migrate", "start", "acme", "--to", "eu-west", "--wait");
        assertEquals(0, completed.exitCode(), completed::toString);
        assertTrue(completed.out().contains("m-1  completed"), completed::toString);

        node.answer("GET", "/admin/migrations/m-1", 200, "{\"id\":\"m-1\",\"tenant\":\"acme\","
                + "\"state\":\"failed\",\"active\":false,\"reason\":\"target lagging\"}");
        Cli.Result failed = cli.run("migrate", "start", "acme", "--to", "eu-west", "--wait");
        assertEquals(ExitCode.MIGRATION_FAILED, failed.exitCode(), failed::toString);
        assertTrue(failed.err().contains("migration m-1 ended failed"), failed::toString);
    }

    @Test
    void migrateStartPostsTheRequestAndPrintsTheMigration() {
        node.answer("POST", "/admin/tenants/acme/migrate", 202, MIGRATION);
        Cli.Result result = cli.run("migrate", "start", "acme", "--to", "eu-west");
        assertEquals(0, result.exitCode(), result::toString);
        StubNode.Request request = node.onlyRequest();
        assertEquals("POST", request.method());
        assertEquals(json("{\"to_region\":\"eu-west\",\"dry_run\":false}"), json(request.body()));
        assertTrue(result.out().matches("(?s).*id:\\s+m-1.*"), result::toString);
        assertTrue(result.out().contains("meridianctl migrate watch m-1"), result::toString);
    }

    @Test
    void migrateStartDryRunPrintsThePlan() {
        node.answer("POST", "/admin/tenants/acme/migrate", 200, "{\"tenant\":\"acme\",\"valid\":true,"
                + "\"targetLagEntries\":12,\"estimatedDrainMs\":40,\"steps\":[{\"step\":\"validate\"},"
                + "{\"step\":\"pause\"},{\"step\":\"drain\"},{\"step\":\"switch\"}]}");
        Cli.Result result = cli.run("migrate", "start", "acme", "--to", "eu-west", "--dry-run");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(json("{\"to_region\":\"eu-west\",\"dry_run\":true}"), json(node.onlyRequest().body()));
        assertTrue(result.out().contains("dry run"), result::toString);
        assertTrue(result.out().matches("(?s).*steps:\\nSTEP\\nvalidate\\npause\\ndrain\\nswitch.*"), result::toString);
    }

    @Test
    void migrateListActiveReadsThePagedListOfActiveMigrationsWhenTheNodeHasIt() {
        node.answer("GET", "/admin/migrations", 200, "{\"migrations\":[{\"id\":\"m-now\",\"tenant\":\"acme\","
                + "\"state\":\"draining\",\"active\":true,\"requestedAt\":1796298000000}]}");
        Cli.Result result = cli.run("migrate", "list", "--active");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(2, result.lines().size(), result::toString);
        assertTrue(result.lines().get(1).startsWith("m-now"), result::toString);
        assertEquals(List.of("/admin/migrations"), node.requests().stream().map(StubNode.Request::path).toList(),
                "no per-tenant requests: " + node.requests());
        assertEquals("state=active&limit=1000", node.requests().get(0).query());
    }

    @Test
    void migrateStatusListAndCancelUseTheirPaths() {
        node.answer("GET", "/admin/migrations/m-1", 200, MIGRATION)
                .answer("GET", "/admin/tenants/acme/migrations", 200, "{\"migrations\":[" + MIGRATION + "]}")
                .answer("POST", "/admin/migrations/m-1/cancel", 202,
                        MIGRATION.replace("requested", "cancelled"));
        Cli.Result status = cli.run("migrate", "status", "m-1");
        Cli.Result list = cli.run("migrate", "list", "acme");
        Cli.Result cancel = cli.run("migrate", "cancel", "m-1");
        assertEquals(List.of("GET /admin/migrations/m-1", "GET /admin/tenants/acme/migrations",
                "POST /admin/migrations/m-1/cancel"), node.requests().stream().map(r -> r.method() + " " + r.path())
                .toList());
        assertEquals(0, status.exitCode() + list.exitCode() + cancel.exitCode(), status + "\n" + list + "\n" + cancel);
        assertTrue(status.out().matches("(?s).*state:\\s+requested.*"), status::toString);
        assertTrue(list.lines().get(0).matches("ID\\s+TENANT\\s+STATE\\s+FROM\\s+TO"), list::toString);
        assertTrue(list.lines().get(1).matches("m-1\\s+acme\\s+requested\\s+us-east\\s+eu-west"), list::toString);
        assertTrue(cancel.out().matches("(?s).*state:\\s+cancelled.*"), cancel::toString);
    }

    @Test
    void migrateStartOfAnActiveMigrationIsAServerError() {
        node.answer("POST", "/admin/tenants/acme/migrate", 409,
                "{\"error\":{\"code\":\"migration_active\",\"message\":\"acme is already migrating (m-1)\"}}");
        Cli.Result result = cli.run("migrate", "start", "acme", "--to", "eu-west");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertEquals("error: migration_active: acme is already migrating (m-1)\n", result.err());
    }

    // --- failback

    static final String FAILBACK = "{\"tenant\":\"acme\",\"fromRegion\":\"eu-west\",\"toRegion\":\"us-east\","
            + "\"state\":\"waiting\",\"failoverEpoch\":7,\"failedOverAt\":1767225600000,\"eligibleAt\":-1,"
            + "\"migrationId\":\"\",\"reason\":\"preferred region 'us-east' is unhealthy, not healthy\"}";

    @Test
    void failbackListShowsEachFailbackAndWhyItWaits() {
        node.answer("GET", "/admin/failbacks", 200, "{\"failbacks\":[" + FAILBACK + "]}");
        Cli.Result result = cli.run("failback", "list");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.lines().get(0).matches("TENANT\\s+STATE\\s+FROMREGION\\s+TOREGION\\s+ELIGIBLEAT.*"),
                result::toString);
        assertTrue(result.lines().get(1).matches("acme\\s+waiting\\s+eu-west\\s+us-east\\s+-\\s+.*unhealthy.*"),
                result::toString);
        assertTrue(result.out().contains("2026-01-01 00:00:00Z ("), result::toString);
    }

    @Test
    void failbackListSaysWhenNothingIsPending() {
        node.answer("GET", "/admin/failbacks", 200, "{\"failbacks\":[]}");
        Cli.Result result = cli.run("failback", "list");
        assertEquals("no failbacks pending\n", result.out());
    }

    @Test
    void failbackTriggerAndCancelUseTheirPaths() {
        node.answer("POST", "/admin/tenants/acme/failback", 202, FAILBACK.replace("waiting", "running")
                        .replace("\"migrationId\":\"\"", "\"migrationId\":\"m-9\""))
                .answer("POST", "/admin/tenants/acme/failback/cancel", 200, FAILBACK.replace("waiting", "cancelled"));
        Cli.Result trigger = cli.run("failback", "trigger", "acme");
        Cli.Result cancel = cli.run("failback", "cancel", "acme");
        assertEquals(List.of("POST /admin/tenants/acme/failback", "POST /admin/tenants/acme/failback/cancel"),
                node.requests().stream().map(r -> r.method() + " " + r.path()).toList());
        assertEquals(0, trigger.exitCode() + cancel.exitCode(), trigger + "\n" + cancel);
        assertTrue(trigger.out().contains("meridianctl migrate watch m-9"), trigger::toString);
        assertTrue(cancel.out().matches("(?s).*state:\\s+cancelled.*"), cancel::toString);
    }

    @Test
    void failbackTriggerOfATenantWithoutOneIsAServerError() {
        node.answer("POST", "/admin/tenants/acme/failback", 409, "{\"error\":{\"code\":\"failback_not_pending\","
                + "\"message\":\"tenant 'acme' has no failback to act on\"}}");
        Cli.Result result = cli.run("failback", "trigger", "acme");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertEquals("error: failback_not_pending: tenant 'acme' has no failback to act on\n", result.err());
    }

    @Test
    void tenantsPlaceSendsThePreferredPrimary() {
        node.answer("PUT", "/admin/tenants/acme/placement", 200, ACME);
        Cli.Result result = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas",
                "us-east,eu-west", "--preferred-primary", "us-east");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals("us-east", json(node.onlyRequest().body()).path("preferred_primary").asText());
    }

    // --- -o json for every command

    @Test
    void jsonOutputIsOneValidJsonDocumentForEveryCommand() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[" + ACME + "]}")
                .answer("GET", "/admin/tenants/acme/placement", 200, ACME)
                .answer("PUT", "/admin/tenants/acme/placement", 200, ACME)
                .answer("GET", "/admin/replication/election", 200, "{\"backend\":\"kafka\",\"state\":\"leader\"}")
                .answer("GET", "/v1/replication/health", 200, "{\"status\":\"healthy\",\"regions\":{}}")
                .answer("POST", "/admin/replication/failover", 200, "{\"region\":\"us-east\",\"tenants\":[]}")
                .answer("POST", "/admin/tenants/acme/migrate", 202, MIGRATION)
                .answer("GET", "/admin/migrations/m-1", 200, MIGRATION)
                .answer("GET", "/admin/tenants/acme/migrations", 200, "[" + MIGRATION + "]")
                .answer("POST", "/admin/migrations/m-1/cancel", 200, MIGRATION)
                .answer("GET", "/admin/failbacks", 200, "{\"failbacks\":[" + FAILBACK + "]}")
                .answer("POST", "/admin/tenants/acme/failback", 202, FAILBACK)
                .answer("POST", "/admin/tenants/acme/failback/cancel", 200, FAILBACK);
        List<List<String>> commands = List.of(List.of("tenants", "list"), List.of("tenants", "get", "acme"),
                List.of("tenants", "place", "acme", "--primary", "us-east", "--replicas", "us-east"),
                List.of("replication", "election"), List.of("replication", "health"),
                List.of("replication", "failover", "us-east", "--yes"),
                List.of("migrate", "start", "acme", "--to", "eu-west"),
                List.of("migrate", "status", "m-1"), List.of("migrate", "list", "acme"),
                List.of("migrate", "cancel", "m-1"), List.of("failback", "list"),
                List.of("failback", "trigger", "acme"), List.of("failback", "cancel", "acme"));
        for (List<String> command : commands) {
            String[] args = Stream.concat(Stream.of("-o", "json"), command.stream())
                    .toArray(String[]::new);
            Cli.Result result = cli.run(args);
            assertEquals(0, result.exitCode(), command + ": " + result);
            assertEquals(1, result.lines().size(), command + " prints one line: " + result);
            JsonNode printed = json(result.out());
            assertTrue(printed.isContainerNode(), command + ": " + result);
        }
    }

    // --- errors and exit codes

    @Test
    void serverErrorsExitOneAndUnavailableExitsThree() {
        node.answer("GET", "/admin/tenants/nope/placement", 404,
                "{\"error\":{\"code\":\"tenant_not_found\",\"message\":\"tenant 'nope' has no placement\"}}");
        node.answer("GET", "/admin/tenants", 503,
                "{\"error\":{\"code\":\"not_ready\",\"message\":\"the region is starting\"}}",
                Map.of("Retry-After", "1"));
        Cli.Result notFound = cli.run("tenants", "get", "nope");
        assertEquals(ExitCode.SERVER_ERROR, notFound.exitCode(), notFound::toString);
        assertEquals("error: tenant_not_found: tenant 'nope' has no placement\n", notFound.err());
        Cli.Result notReady = cli.run("tenants", "list");
        assertEquals(ExitCode.UNAVAILABLE, notReady.exitCode(), notReady::toString);
        assertEquals("error: not_ready: the region is starting (retry after 1 s)\n", notReady.err());
    }

    @Test
    void aBodyThatIsNotAnErrorDocumentStillMapsToTheStatus() {
        node.answer("GET", "/admin/tenants", 500, "<html>boom</html>");
        Cli.Result result = cli.run("tenants", "list");
        assertEquals(ExitCode.UNAVAILABLE, result.exitCode(), result::toString);
        assertEquals("error: http_500: the node answered 500: <html>boom</html>\n", result.err());
    }

    @Test
    void unauthorizedIsAServerError() {
        node.answer("GET", "/admin/tenants", 401,
                "{\"error\":{\"code\":\"unauthorized\",\"message\":\"send Authorization: Bearer <admin.token>\"}}");
        Cli.Result result = cli.run("tenants", "list");
        assertEquals(ExitCode.SERVER_ERROR, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("error: unauthorized: "), result::toString);
    }

    @Test
    void anUnreachableNodeExitsThree() {
        node.close();
        Cli.Result result = cli.run("--url", node.url(), "tenants", "list");
        assertEquals(ExitCode.UNAVAILABLE, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("error: unreachable: cannot reach " + node.url()), result::toString);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCode.USAGE, cli.run("tenants").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("tenants", "get").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("migrate", "start", "acme").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("frobnicate").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("-o", "yaml", "tenants", "list").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("--url", "not a url", "tenants", "list").exitCode());
        assertEquals(ExitCode.USAGE, cli.run("events", "tail", "--topic", "nonsense", "--bootstrap", "x:1")
                .exitCode());
        assertEquals(ExitCode.USAGE, cli.run("events", "tail", "--limit", "0", "--bootstrap", "x:1").exitCode());
        assertTrue(node.requests().isEmpty(), () -> "no request for a usage error: " + node.requests());
    }

    @Test
    void getFollowsRedirectsButWritesDoNot() {
        try (StubNode other = new StubNode()) {
            other.answer("GET", "/admin/tenants/acme/placement", 200, ACME);
            node.answer("GET", "/admin/tenants/acme/placement", 307, "", Map.of("Location",
                    other.url() + "/admin/tenants/acme/placement"));
            node.answer("PUT", "/admin/tenants/acme/placement", 307, "{\"error\":{\"code\":\"redirect\","
                    + "\"message\":\"not the primary\"}}", Map.of("Location", other.url() + "/x"));
            Cli.Result get = cli.run("tenants", "get", "acme");
            assertEquals(0, get.exitCode(), get::toString);
            Cli.Result put = cli.run("tenants", "place", "acme", "--primary", "us-east", "--replicas", "us-east");
            assertEquals(ExitCode.SERVER_ERROR, put.exitCode(), put::toString);
            assertEquals("error: redirect: not the primary (Location: " + other.url() + "/x)\n", put.err());
            assertEquals(1, other.requests().size(), () -> "only the GET went on: " + other.requests());
        }
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[]}");
        Cli plain = new Cli(Map.of(), home);
        Cli.Result after = plain.run("tenants", "list", "--url", node.url(), "--token", "t1", "-o", "json");
        Cli.Result before = plain.run("--url", node.url(), "--token", "t2", "-o", "json", "tenants", "list");
        assertEquals(0, after.exitCode() + before.exitCode(), after + "\n" + before);
        assertEquals(List.of("Bearer t1", "Bearer t2"), node.requests().stream().map(StubNode.Request::authorization)
                .toList());
    }

    @Test
    void withoutTokenNoAuthorizationIsSent() {
        node.answer("GET", "/admin/tenants", 200, "{\"tenants\":[]}");
        Cli.Result result = new Cli(Map.of("MERIDIAN_URL", node.url()), home).run("tenants", "list");
        assertEquals(0, result.exitCode(), result::toString);
        assertEquals(null, node.onlyRequest().authorization());
        assertFalse(result.out().isEmpty());
    }
}
