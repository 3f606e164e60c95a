package io.meridian.election.failover;

import static io.meridian.election.failover.FailoverFixtures.NOW;
import static io.meridian.election.failover.FailoverFixtures.health;
import static io.meridian.election.failover.FailoverFixtures.placement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.model.Placement;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailoverEventTest {
    private static final FailoverPolicy POLICY = FailoverPolicy.defaults(Duration.ofSeconds(30));
    private static final Map<String, Integer> PARTITIONS = Map.of("acme", 0, "globex", 1, "hooli", 2);

    private static FailoverPlan plan() {
        var health = health()
                .unhealthy("us-east", NOW - 60_000, "eu-west", "ap-south")
                .healthy("eu-west", Map.of(0, 100L))
                .region("ap-south", RegionHealth.SUSPECT, 0, Map.of(0, 500L), Map.of())
                .build();
        List<Placement> placements = List.of(
                placement("acme", "us-east", "us-east", "eu-west", "ap-south", "mars-1"),
                placement("globex", "us-east", "us-east", "ap-south"),
                placement("hooli", "eu-west", "eu-west", "us-east"));
        var planner = new FailoverPlanner(POLICY.withQuorum(1), PARTITIONS::get);
        return planner.planAutomatic("us-east", health, placements, InhibitWindows.empty(POLICY.inhibitWindow()),
                NOW, 12).plan().orElseThrow();
    }

    @Test
    void shouldRoundTripAFailoverEventThroughJsonAndTheControllerTopic() {
        FailoverEvent event = FailoverEvent.of(plan(), NOW, NOW + 340);
        assertEquals(event, Json.read(Json.write(event), FailoverEvent.class));

        byte[] onTopic = Topics.CONTROLLER.valueSerde().serializer().serialize("t", Json.toTree(event));
        JsonNode node = Topics.CONTROLLER.valueSerde().deserializer().deserialize("t", onTopic);
        assertEquals("failover", node.get("type").asText());
        assertEquals(event, Json.read(onTopic, FailoverEvent.class));
    }

    @Test
    void shouldCarryTheFullContext() {
        FailoverEvent event = FailoverEvent.of(plan(), NOW, NOW + 340);
        assertEquals(FailoverTrigger.AUTOMATIC, event.trigger());
        assertEquals(12, event.controllerEpoch());
        assertEquals(340, event.durationMillis());
        assertEquals(List.of("ap-south", "eu-west"), event.observers());
        assertEquals(FailoverEvent.NO_TARGET, event.target());
        assertEquals(List.of("acme", "globex"), event.tenants().stream().map(FailoverEvent.TenantResult::tenant).toList());

        FailoverEvent.TenantResult acme = event.tenants().get(0);
        assertEquals(TenantFailover.Outcome.PROMOTED, acme.outcome());
        assertEquals("eu-west", acme.primaryAfter());
        assertEquals(acme.epochBefore() + 1, acme.epochAfter());
        assertEquals(List.of("eu-west", "ap-south", "mars-1"),
                acme.candidates().stream().map(FailoverEvent.CandidateResult::region).toList());
        assertEquals(List.of("healthy", "suspect", "unknown"),
                acme.candidates().stream().map(FailoverEvent.CandidateResult::health).toList());
        assertEquals(List.of(100L, 500L, -1L),
                acme.candidates().stream().map(FailoverEvent.CandidateResult::appliedOffset).toList());

        FailoverEvent.TenantResult globex = event.tenants().get(1);
        assertEquals(TenantFailover.Outcome.NO_HEALTHY_REPLICA, globex.outcome());
        assertEquals(globex.primaryBefore(), globex.primaryAfter());
        assertEquals(globex.epochBefore(), globex.epochAfter());

        String json = Json.writeString(event);
        assertTrue(json.contains("\"outcome\":\"no-healthy-replica\""), json);
        assertTrue(json.contains("\"trigger\":\"automatic\""), json);
    }

    @Test
    void shouldCarryAManualTargetAndForce() {
        var health = health().unhealthy("us-east", 0).healthy("eu-west", Map.of()).build();
        var planner = new FailoverPlanner(POLICY, PARTITIONS::get);
        FailoverPlan plan = planner.planManual("us-east", Optional.of("eu-west"), true, health,
                List.of(placement("acme", "us-east", "us-east", "eu-west")),
                InhibitWindows.empty(POLICY.inhibitWindow()), NOW, 3).orElseThrow();
        FailoverEvent event = FailoverEvent.of(plan, NOW, NOW);
        assertEquals(event, Json.read(Json.write(event), FailoverEvent.class));
        assertEquals("eu-west", event.target());
        assertTrue(event.forced());
        assertEquals(FailoverTrigger.MANUAL, event.trigger());
    }

    @Test
    void shouldRejectInconsistentEventsOnTheWayIn() {
        String good = Json.writeString(FailoverEvent.of(plan(), NOW, NOW + 340));
        List<String> bad = List.of(
                good.replace("\"durationMillis\":340", "\"durationMillis\":1"),
                good.replace("\"type\":\"failover\"", "\"type\":\"leadership\""),
                good.replace("\"epochAfter\":5", "\"epochAfter\":6"),
                good.replace("\"health\":\"unknown\"", "\"health\":\"dead\""),
                good.replace("\"target\":\"\",", ""));
        for (String json : bad) {
            if (json.equals(good)) {
                throw new AssertionError("the replacement did not apply");
            }
            assertThrows(IllegalArgumentException.class,
                    () -> Json.read(json.getBytes(StandardCharsets.UTF_8), FailoverEvent.class), json);
        }
    }
}
