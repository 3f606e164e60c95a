package io.meridian.election.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.internal.ControllerAssignor.AssignmentInfo;
import io.meridian.election.internal.ControllerAssignor.MemberInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControllerAssignorTest {
    private static final String TOPIC = "meridian.controller";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    @Test
    void shouldGiveThePartitionToTheHighestAppliedPosition() {
        Map<String, Assignment> out = ControllerAssignor.assign(TOPIC, 1, subscriptions(
                member("m-a", "a", 9, 100), member("m-b", "b", 0, 250), member("m-c", "c", 5, 200)));
        assertLeader(out, "m-b", "b");
    }

    @Test
    void shouldBreakPositionTiesByPriorityThenNodeId() {
        assertLeader(ControllerAssignor.assign(TOPIC, 1, subscriptions(
                member("m-a", "a", 1, 50), member("m-b", "b", 5, 50), member("m-c", "c", 3, 50))), "m-b", "b");
        assertLeader(ControllerAssignor.assign(TOPIC, 1, subscriptions(
                member("m-z", "z", 5, 50), member("m-y", "y", 5, 50))), "m-y", "y");
        // Same node id twice (a restarted process whose old member has not expired): member id decides, stably.
        assertLeader(ControllerAssignor.assign(TOPIC, 1, subscriptions(
                member("m-2", "x", 5, 50), member("m-1", "x", 5, 50))), "m-1", "x");
    }

    @Test
    void shouldTellEveryMemberWhoLeadsAndWhoTakesPart() {
        Map<String, Assignment> out = ControllerAssignor.assign(TOPIC, 1, subscriptions(
                member("m-a", "a", 0, 10), member("m-b", "b", 0, 20)));
        for (Assignment a : out.values()) {
            AssignmentInfo info = ControllerAssignor.parseAssignment(a.userData());
            assertEquals("b", info.leaderCandidate().nodeId());
            assertEquals(List.of("b", "a"), info.members().stream().map(m -> m.candidate().nodeId()).toList());
            assertEquals(20, info.members().get(0).appliedPosition());
        }
    }

    @Test
    void shouldElectNobodyWhenTheTopicIsMissing() {
        Map<String, Assignment> out = ControllerAssignor.assign(TOPIC, 0, subscriptions(member("m-a", "a", 0, 1)));
        assertTrue(out.get("m-a").partitions().isEmpty());
        assertNull(ControllerAssignor.parseAssignment(out.get("m-a").userData()).leaderCandidate());
    }

    @Test
    void shouldRankMembersWithUnreadableDataOut() {
        Map<String, Subscription> subs = subscriptions(member("m-a", "a", 0, 1));
        subs.put("m-bad", new Subscription(List.of(TOPIC), ByteBuffer.wrap("{nope".getBytes(StandardCharsets.UTF_8))));
        subs.put("m-empty", new Subscription(List.of(TOPIC), null));
        Map<String, Assignment> out = ControllerAssignor.assign(TOPIC, 1, subs);
        assertLeader(out, "m-a", "a");
        assertEquals(3, out.size(), "every member gets an assignment, even an unreadable one");
    }

    @Test
    void shouldIgnoreFieldsOfNewerVersions() {
        String json = "{\"version\":2,\"candidate\":{\"nodeId\":\"a\",\"region\":\"us-east\",\"url\":\"\","
                + "\"priority\":0},\"appliedPosition\":7,\"futureField\":true}";
        Map<String, Subscription> subs = new LinkedHashMap<>();
        subs.put("m-a", new Subscription(List.of(TOPIC), ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8))));
        assertLeader(ControllerAssignor.assign(TOPIC, 1, subs), "m-a", "a");
    }

    @Test
    void shouldRefuseToRunWithoutItsMember() {
        ControllerAssignor assignor = new ControllerAssignor();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> assignor.configure(Map.of()));
        assertTrue(e.getMessage().contains(ControllerAssignor.MEMBER_CONFIG), e.getMessage());
    }

    private static void assertLeader(Map<String, Assignment> out, String memberId, String nodeId) {
        out.forEach((id, a) -> assertEquals(id.equals(memberId) ? List.of(P0) : List.of(), a.partitions(),
                "partitions of " + id));
        assertEquals(nodeId, ControllerAssignor.parseAssignment(out.get(memberId).userData()).leaderCandidate()
                .nodeId());
    }

    private static Map.Entry<String, Subscription> member(String memberId, String nodeId, int priority,
                                                          long position) {
        MemberInfo info = new MemberInfo(1, new ElectionCandidate(nodeId, "us-east", "http://" + nodeId, priority), position);
        return Map.entry(memberId, new Subscription(List.of(TOPIC), ByteBuffer.wrap(ControllerAssignor.write(info))));
    }

    @SafeVarargs
    private static Map<String, Subscription> subscriptions(Map.Entry<String, Subscription>... members) {
        Map<String, Subscription> out = new LinkedHashMap<>();
        for (Map.Entry<String, Subscription> m : members) {
            out.put(m.getKey(), m.getValue());
        }
        return out;
    }
}
