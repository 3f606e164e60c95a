package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ElectionSnapshotTest {

    @Test
    void shouldSerializeFlatForTheAdminEndpoint() {
        ElectionCandidate self = new ElectionCandidate("n1", "us-east", "http://n1", 2);
        ElectionCandidate leader = new ElectionCandidate("n2", "eu-west", "http://n2", 0);
        ElectionSnapshot s = ElectionSnapshot.of("zookeeper", ElectionState.FOLLOWER, 12, true, Optional.of(leader),
                self, "2025-01-01T00:00:00Z");
        assertEquals("{\"backend\":\"zookeeper\",\"state\":\"FOLLOWER\",\"epoch\":12,\"hasQuorum\":true,"
                + "\"leaderNodeId\":\"n2\",\"leaderRegion\":\"eu-west\",\"leaderUrl\":\"http://n2\","
                + "\"self\":{\"nodeId\":\"n1\",\"region\":\"us-east\",\"url\":\"http://n1\",\"priority\":2},"
                + "\"since\":\"2025-01-01T00:00:00Z\"}", Json.writeString(s));
        assertFalse(s.leading());
    }

    @Test
    void shouldLeaveTheLeaderOutWhenNoneIsKnown() {
        ElectionSnapshot s = ElectionSnapshot.of("kafka", ElectionState.CANDIDATE, -1, false, Optional.empty(),
                new ElectionCandidate("n1", "us-east", "", 0), "2025-01-01T00:00:00Z");
        assertTrue(Json.writeString(s).contains("\"leaderNodeId\":null"));
    }

    @Test
    void shouldKeepCredentialsOutOfSettingsToString() {
        ElectionSettings settings = ElectionSettings.builder().kafkaClientProperties(Map.of("sasl.jaas.config",
                "secret-password")).clock(Clock.systemUTC()).build();
        assertFalse(settings.toString().contains("secret-password"), settings.toString());
        assertTrue(settings.toString().contains("sasl.jaas.config"));
    }
}
