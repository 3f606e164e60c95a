package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.infra.model.WalStats;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /v1/replication/health}: the overall status rules (healthy / degraded / unhealthy) and the body, over
 * HTTP, with the region health of the fake control plane and the figures of {@link FakeReplicationStatus}.
 */
@Tag("integration")
@Timeout(120)
class ReplicationHealthTest {
    private static final String HEALTH = "/v1/replication/health";
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");

    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static RegionStatus region(String name, RegionHealth state) {
        return new RegionStatus(name, state, 1_000, false, OptionalLong.of(250), 0, 3, 1_000, 2_000,
                Set.of(name + "-1"), Map.of(0, 41L), Map.of());
    }

    private static ReplicationLag lag(String region, long entries, double seconds) {
        return ReplicationLag.of(region, List.of(new ReplicationLag.PartitionLag(0, 1_000, 1_000 - entries, entries,
                seconds)), 1_000, 2_000, new WalStats(1_000, 50_000, 1_900));
    }

    /** Every region in {@code state} except the overrides; every region lagging 2 entries, 0.5 s. */
    private void given(Map<String, RegionHealth> overrides) {
        Map<String, RegionHealth> states = new HashMap<>();
        REGIONS.forEach(r -> states.put(r, RegionHealth.HEALTHY));
        states.putAll(overrides);
        h.controlPlane.health = HealthSnapshot.of(3_000, states.entrySet().stream()
                .map(e -> region(e.getKey(), e.getValue())).toList());
        Map<String, ReplicationLag> lags = new HashMap<>();
        REGIONS.forEach(r -> lags.put(r, lag(r, 2, 0.5)));
        h.replication.lags = lags;
    }

    private String status() {
        HttpResponse<String> response = h.get(HEALTH);
        assertEquals(200, response.statusCode(), response.body());
        return json(response).get("status").asText();
    }

    @Test
    void shouldBeHealthyWhenEveryRegionIsHealthyAndCaughtUp() {
        given(Map.of());
        assertEquals("healthy", status());

        Map<String, ReplicationLag> atTheLimit = new HashMap<>(h.replication.lags);
        atTheLimit.put("eu-west", lag("eu-west", 400, 30.0));
        h.replication.lags = atTheLimit;
        assertEquals("healthy", status(), "30 s is not yet more than 30 s");
    }

    @Test
    void shouldBeDegradedAndShowTheRateWhenTheApplierDeadLetteredRecordsInTheLastMinute() {
        given(Map.of());
        h.replication.deadLettersLastMinute = 3;

        JsonNode body = json(h.get(HEALTH));

        assertEquals("degraded", body.get("status").asText());
        assertEquals(3, body.get("deadLettersLastMinute").asLong());
    }

    @Test
    void shouldBeUnhealthyWhenARegionNeedsAReseed() {
        given(Map.of());
        HealthSnapshot base = h.controlPlane.health;
        RegionStatus ok = base.region("eu-west").orElseThrow();
        h.controlPlane.health = HealthSnapshot.of(3_000, List.of(base.region("us-east").orElseThrow(),
                base.region("ap-south").orElseThrow(), new RegionStatus("eu-west", RegionHealth.HEALTHY, 1_000, false,
                        OptionalLong.of(250), 0, 3, 1_000, 2_000, ok.nodes(), ok.appliedOffsets(), Map.of(), true)));

        JsonNode body = json(h.get(HEALTH));

        assertEquals("unhealthy", body.get("status").asText());
        assertTrue(body.at("/regions/eu-west/needsReseed").asBoolean(), body.toString());
        assertFalse(body.at("/regions/eu-west/healthy").asBoolean(), body.toString());
    }

    @Test
    void shouldBeDegradedWhenARegionIsSuspect() {
        given(Map.of("ap-south", RegionHealth.SUSPECT));
        assertEquals("degraded", status());
    }

    @Test
    void shouldBeDegradedWhenARegionIsNotInTheHealthSnapshot() {
        given(Map.of());
        h.controlPlane.health = HealthSnapshot.of(3_000, List.of(region("us-east", RegionHealth.HEALTHY),
                region("eu-west", RegionHealth.HEALTHY)));

        JsonNode body = json(h.get(HEALTH));

        assertEquals("degraded", body.get("status").asText());
        assertEquals("suspect", body.at("/regions/ap-south/health").asText());
        assertTrue(body.at("/regions/ap-south/lastHeartbeatAgeMillis").isNull(), body.toString());
        assertEquals(0, body.at("/regions/ap-south/nodes").size());
    }

    @Test
    void shouldBeDegradedWhenARegionLagsMoreThan30Seconds() {
        given(Map.of());
        Map<String, ReplicationLag> lags = new HashMap<>(h.replication.lags);
        lags.put("eu-west", lag("eu-west", 400, 30.5));
        h.replication.lags = lags;

        assertEquals("degraded", status());
    }

    @Test
    void shouldBeDegradedWhileARegionsLagIsUnknown() {
        given(Map.of());
        h.replication.lags = Map.of("us-east", lag("us-east", 0, 0), "eu-west", lag("eu-west", 0, 0));

        JsonNode body = json(h.get(HEALTH));

        assertEquals("degraded", body.get("status").asText());
        assertTrue(body.at("/regions/ap-south/lagEntries").isNull(), body.toString());
        assertTrue(body.at("/regions/ap-south/lagSeconds").isNull(), body.toString());
    }

    @Test
    void shouldBeUnhealthyWhenARegionIsUnhealthyWhateverElseIsDegraded() {
        given(Map.of("eu-west", RegionHealth.UNHEALTHY, "ap-south", RegionHealth.SUSPECT));
        assertEquals("unhealthy", status());

        given(Map.of("eu-west", RegionHealth.UNHEALTHY));
        assertEquals("unhealthy", status());
    }

    @Test
    void shouldBeUnhealthyWhenThisNodeLostItsCoordinationQuorum() {
        given(Map.of());
        h.controlPlane.quorum = false;

        JsonNode body = json(h.get(HEALTH));

        assertEquals("unhealthy", body.get("status").asText());
        assertEquals(false, body.get("hasQuorum").asBoolean());
        assertEquals("disconnected", body.get("role").asText());
    }

    @Test
    void shouldPauseAutomaticFailoverClusterWideIdempotentlyAndShowItInHealth() {
        given(Map.of());
        String path = "/admin/replication/automatic-failover";
        assertEquals(401, h.send(h.request(path + "/pause")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode(), "admin only");
        assertEquals("invalid_pause", RouterHarness.code(h.admin("POST", path + "/pause", "{\"why\":1}")));
        assertFalse(json(h.admin("GET", path, null)).get("paused").asBoolean(), "nothing changed on bad input");

        JsonNode paused = json(h.admin("POST", path + "/pause", "{\"reason\":\"network maintenance\"}"));
        assertTrue(paused.get("paused").asBoolean() && paused.get("changed").asBoolean(), paused.toString());
        JsonNode again = json(h.admin("POST", path + "/pause", null));
        assertFalse(again.get("changed").asBoolean(), "idempotent: " + again);
        assertEquals(paused.get("since"), again.get("since"), "the first pause's time");
        JsonNode shown = json(h.get(HEALTH)).get("automaticFailover");
        assertTrue(shown.get("paused").asBoolean(), shown.toString());
        assertEquals("network maintenance", shown.get("reason").asText());
        assertFalse(shown.has("changed"), shown.toString());

        JsonNode resumed = json(h.admin("POST", path + "/resume", null));
        assertTrue(!resumed.get("paused").asBoolean() && resumed.get("changed").asBoolean(), resumed.toString());
        assertFalse(json(h.get(HEALTH)).at("/automaticFailover/paused").asBoolean());
    }

    @Test
    void shouldAnswerEveryFieldWithoutAnAdminToken() {
        given(Map.of("ap-south", RegionHealth.SUSPECT));
        h.replication.walStats = Optional.of(new WalStats(1_234, 56_789, 1_900));
        h.replication.endOffsets = Map.of(0, 51L, 1, 7L);
        h.replication.walSizeBytes = 98_765;
        h.replication.conflicts = Map.of("lww", 3L);

        HttpResponse<String> response = h.get(HEALTH);  // no Authorization header

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(RouterServerTest.header(response, "Content-Type").startsWith("application/json"));
        JsonNode body = json(response);
        assertEquals(List.of("status", "region", "role", "controllerEpoch", "hasQuorum", "wal", "kafka",
                "conflictsLastMinute", "deadLettersLastMinute", "regions", "automaticFailover"), fieldNames(body));
        assertEquals("{\"enabled\":true,\"paused\":false,\"since\":null,\"sinceMillis\":null,\"reason\":\"\","
                + "\"requestedBy\":\"\"}", body.get("automaticFailover").toString());
        assertEquals("degraded", body.get("status").asText());
        assertEquals("us-east", body.get("region").asText());
        assertEquals("controller", body.get("role").asText());
        assertEquals(3, body.get("controllerEpoch").asLong());
        assertEquals(true, body.get("hasQuorum").asBoolean());
        assertEquals("{\"partitions\":12,\"endOffsets\":{\"0\":51,\"1\":7},\"sizeBytes\":98765,\"entries\":1234,"
                + "\"bytes\":56789}", sortedEndOffsets(body.get("wal")).toString());
        assertEquals("{\"lww\":3}", body.get("conflictsLastMinute").toString());
        assertEquals(REGIONS, fieldNames(body.get("regions")), "in configured order");
        assertEquals("{\"health\":\"healthy\",\"healthy\":true,\"needsReseed\":false,\"paused\":false,"
                + "\"pausedSince\":null,\"lagEntries\":2,\"lagSeconds\":0.5,\"lastHeartbeatAgeMillis\":250,"
                + "\"nodes\":[\"eu-west-1\"]}", body.at("/regions/eu-west").toString());
        assertEquals("suspect", body.at("/regions/ap-south/health").asText());
        assertEquals(false, body.at("/regions/ap-south/healthy").asBoolean());
    }

    @Test
    void shouldShowUnknownWalFiguresAsNullOrLeftOutAndTheRoleOfAFollower() {
        given(Map.of());
        h.controlPlane.controller = false;
        h.controlPlane.controllerUrl = URI.create("http://leader.example.test:8080");

        JsonNode body = json(h.get(HEALTH));

        assertEquals("follower", body.get("role").asText());
        assertTrue(body.at("/wal/sizeBytes").isNull(), body.toString());
        assertTrue(body.at("/wal/entries").isMissingNode(), body.toString());
        assertEquals("{}", body.at("/wal/endOffsets").toString());
        assertEquals("{}", body.get("conflictsLastMinute").toString());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The WAL object with {@code endOffsets} in partition order (a map's order is not part of the API). */
    private static JsonNode sortedEndOffsets(JsonNode wal) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = wal.deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode offsets = copy.objectNode();
        fieldNames(wal.get("endOffsets")).stream().sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                .forEach(p -> offsets.set(p, wal.get("endOffsets").get(p)));
        copy.set("endOffsets", offsets);
        return copy;
    }

    @Test
    void shouldReportABrokerDownAndALeaderlessPartition() {
        given(Map.of());
        assertEquals("healthy", status(), "health unknown: not held against the cluster");
        assertEquals("unknown", json(h.get(HEALTH)).path("kafka").path("status").asText());

        h.replication.kafka = Optional.of(new io.meridian.streams.KafkaClusterHealth(2_000,
                new java.util.TreeSet<>(Set.of(1, 2)), new java.util.TreeSet<>(Set.of(3)), 12, 0));
        assertEquals("degraded", status(), "one of three brokers dead: no longer healthy");
        JsonNode kafka = json(h.get(HEALTH)).path("kafka");
        assertEquals("degraded", kafka.path("status").asText());
        assertEquals(3, kafka.path("offlineBrokers").get(0).asInt());
        assertEquals(12, kafka.path("underReplicatedPartitions").asInt());

        h.replication.kafka = Optional.of(new io.meridian.streams.KafkaClusterHealth(2_000,
                new java.util.TreeSet<>(Set.of(1)), new java.util.TreeSet<>(Set.of(2, 3)), 30, 4));
        assertEquals("unhealthy", status(), "partitions without a leader take no writes");
    }
}
