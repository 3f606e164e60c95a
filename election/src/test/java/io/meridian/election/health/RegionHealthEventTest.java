package io.meridian.election.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegionHealthEventTest {

    @Test
    void shouldRoundTripThroughJsonWithTypeAndControllerEpoch() {
        var change = new RegionHealthChange("us-east", RegionHealth.SUSPECT, RegionHealth.UNHEALTHY, 42L,
                "no heartbeat", 5);
        var event = RegionHealthEvent.of(change, 7);
        String json = Json.writeString(event);
        assertTrue(json.contains("\"type\":\"region-health\""), json);
        assertTrue(json.contains("\"to\":\"unhealthy\""), json);
        assertEquals(event, Json.read(json.getBytes(StandardCharsets.UTF_8), RegionHealthEvent.class));
        assertEquals(change, event.toChange());
    }

    @Test
    void shouldRejectAnIllegalTransitionOnTheWayIn() {
        String json = "{\"type\":\"region-health\",\"region\":\"us-east\",\"from\":\"healthy\",\"to\":\"unhealthy\","
                + "\"atMillis\":1,\"reason\":\"x\",\"consecutiveMisses\":5,\"controllerEpoch\":1}";
        var e = assertThrows(IllegalArgumentException.class,
                () -> Json.read(json.getBytes(StandardCharsets.UTF_8), RegionHealthEvent.class));
        assertTrue(e.getMessage().contains("valid targets"), e.getMessage());
    }
}
