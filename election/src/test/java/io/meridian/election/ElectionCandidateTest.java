package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.serde.Json;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ElectionCandidateTest {

    @Test
    void shouldRoundTripThroughJson() {
        ElectionCandidate c = new ElectionCandidate("us-east-8080", "us-east", "http://127.0.0.1:8080", 7);
        assertEquals(c, ElectionCandidate.fromJson(c.toJson().getBytes(StandardCharsets.UTF_8)));
        assertEquals("{\"nodeId\":\"us-east-8080\",\"region\":\"us-east\",\"url\":\"http://127.0.0.1:8080\","
                + "\"priority\":7}", c.toJson());
    }

    @Test
    void shouldRejectNodeIdsThatCannotNameAZnode() {
        assertThrows(IllegalArgumentException.class, () -> new ElectionCandidate("a/b", "us-east", "", 0));
        assertThrows(IllegalArgumentException.class, () -> new ElectionCandidate("", "us-east", "", 0));
        assertThrows(IllegalArgumentException.class, () -> new ElectionCandidate("-x", "us-east", "", 0));
        assertThrows(IllegalArgumentException.class, () -> new ElectionCandidate("x", "US EAST", "", 0));
    }

    @Test
    void shouldRejectMalformedJsonNamingTheProblem() {
        Json.JsonFormatException e = assertThrows(Json.JsonFormatException.class,
                () -> ElectionCandidate.fromJson("{\"nodeId\":\"a/b\",\"region\":\"us-east\",\"url\":\"\",\"priority\":0}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("invalid node id"), e.getMessage());
    }
}
