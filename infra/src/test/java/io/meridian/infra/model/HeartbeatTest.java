package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeartbeatTest {
    private static final Heartbeat HEARTBEAT = new Heartbeat("node-1", "us-east", "http://us-east-1:8080",
            Map.of(3, 1042L, 0, 7L), Set.of("eu-west"), 1_700_000_000_000L, 4);

    @Test
    void shouldRoundTripThroughJsonAndTheHeartbeatsTopicSerde() {
        assertEquals(HEARTBEAT, Json.read(Json.write(HEARTBEAT), Heartbeat.class));
        byte[] onTopic = Topics.HEARTBEATS.valueSerde().serializer().serialize("t", HEARTBEAT);
        assertEquals(HEARTBEAT, Json.read(onTopic, Heartbeat.class));
    }

    @Test
    void shouldCarryEchoesAndReadHeartbeatsWithoutThem() {
        Heartbeat echoing = new Heartbeat("node-2", "eu-west", "http://eu-west-1:8080", Map.of(), Set.of(),
                1_700_000_000_500L, 4, false, false, Map.of("node-1", new Heartbeat.Echo(1_700_000_000_000L, 12)));
        assertEquals(echoing, Json.read(Json.write(echoing), Heartbeat.class));
        String old = "{\"nodeId\":\"n\",\"region\":\"us-east\",\"url\":\"u\",\"appliedOffsets\":{},"
                + "\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0,\"needsReseed\":false,"
                + "\"paused\":false}";
        assertEquals(Map.of(), Json.read(old.getBytes(StandardCharsets.UTF_8), Heartbeat.class).echoes());
    }

    @Test
    void shouldWriteSortedCollectionsSoTheJsonIsStable() {
        String json = Json.writeString(HEARTBEAT);
        assertTrue(json.contains("\"appliedOffsets\":{\"0\":7,\"3\":1042}"), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // missing field
            "{\"nodeId\":\"n\",\"region\":\"us-east\",\"url\":\"u\",\"appliedOffsets\":{},\"suspectedRegions\":[],\"sentAtMillis\":1}",
            // unknown field
            "{\"nodeId\":\"n\",\"region\":\"us-east\",\"url\":\"u\",\"appliedOffsets\":{},\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0,\"x\":1}",
            // null field
            "{\"nodeId\":\"n\",\"region\":\"us-east\",\"url\":null,\"appliedOffsets\":{},\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0}",
            // invalid region
            "{\"nodeId\":\"n\",\"region\":\"US EAST\",\"url\":\"u\",\"appliedOffsets\":{},\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0}",
            // negative offset
            "{\"nodeId\":\"n\",\"region\":\"us-east\",\"url\":\"u\",\"appliedOffsets\":{\"1\":-5},\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0}",
            // blank node id
            "{\"nodeId\":\" \",\"region\":\"us-east\",\"url\":\"u\",\"appliedOffsets\":{},\"suspectedRegions\":[],\"sentAtMillis\":1,\"controllerEpochSeen\":0}"
    })
    void shouldRejectMalformedHeartbeats(String json) {
        assertThrows(Json.JsonFormatException.class,
                () -> Json.read(json.getBytes(StandardCharsets.UTF_8), Heartbeat.class));
    }
}
