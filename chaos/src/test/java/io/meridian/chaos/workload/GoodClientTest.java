package io.meridian.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GoodClientTest {
    private static final String PATH = "/v1/tenants/t/docs/k";

    private static GoodClient client(int nodesPerRegion) {
        Map<String, List<String>> urls = new LinkedHashMap<>();
        int port = 30000;
        for (String region : List.of("us-east", "eu-west")) {
            List<String> nodes = new java.util.ArrayList<>();
            for (int i = 0; i < nodesPerRegion; i++) {
                nodes.add("http://127.0.0.1:" + port++);
            }
            urls.put(region, nodes);
        }
        return new GoodClient(new HttpApi("token", Duration.ofSeconds(1)), urls, Duration.ofSeconds(1));
    }

    @Test
    void shouldTryTheRegionsOtherNodesAtOnceBeforeGivingTheRegionUp() {
        GoodClient client = client(3);  // us-east 30000-30002, eu-west 30003-30005
        assertEquals("http://127.0.0.1:30002" + PATH, client.siblingOf("http://127.0.0.1:30001" + PATH, 1));
        assertEquals("http://127.0.0.1:30000" + PATH, client.siblingOf("http://127.0.0.1:30002" + PATH, 2));
        assertNull(client.siblingOf("http://127.0.0.1:30000" + PATH, 3), "every node of us-east failed in a row");
        assertEquals("http://127.0.0.1:30004", client.siblingOf("http://127.0.0.1:30003", 1));
        assertNull(client.siblingOf("http://127.0.0.2:30003" + PATH, 1), "not a node of ours");
    }

    @Test
    void shouldLeaveOneNodeRegionsAndTheirRandomDrawsAsTheyWere() {
        GoodClient client = client(1);
        assertNull(client.siblingOf("http://127.0.0.1:30000" + PATH, 1));
        Random random = new Random(7);
        Random same = new Random(7);
        assertEquals("http://127.0.0.1:30001", client.nodeUrl("eu-west", random));
        assertEquals(same.nextInt(), random.nextInt(), "a one-node region draws nothing");
    }
}
