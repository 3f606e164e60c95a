package io.meridian.router;

import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.placement;
import static io.meridian.router.RouterServerTest.assertError;
import static io.meridian.router.RouterServerTest.header;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.WriteState;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node that lost its coordination quorum refuses writes ({@code 503 coordination_lost}) and keeps serving reads. */
@Tag("integration")
@Timeout(120)
class CoordinationQuorumTest {
    private final String acme = SharedRegions.tenant("acme");
    private final String doc = "/v1/tenants/" + acme + "/docs/user-1";
    private final RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void shouldRefuseWritesButServeReadsWithoutQuorum() {
        h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "{\"v\":1}").statusCode());
        h.controlPlane.quorum = false;

        HttpResponse<String> put = h.put(doc, "{\"v\":2}");
        assertError(put, 503, "coordination_lost");
        assertEquals("10", header(put, "Retry-After"));
        assertEquals("us-east", json(put).at("/error/region").asText());
        assertTrue(json(put).at("/error/message").asText().contains("failed over"), put.body());
        assertError(h.delete(doc), 503, "coordination_lost");
        assertEquals(1, RouterHarness.sent(acme).size(), "nothing more was written");

        HttpResponse<String> get = h.get(doc);
        assertEquals(200, get.statusCode(), get.body());
        assertEquals("{\"v\":1}", get.body());
        assertEquals(200, h.admin("GET", "/admin/tenants/" + acme + "/placement", null).statusCode());

        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "coordination_lost")
                .tag(RouterMetrics.TAG_OP, "put").timer().count());
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "coordination_lost")
                .tag(RouterMetrics.TAG_OP, "delete").timer().count());

        h.controlPlane.quorum = true;
        assertEquals(201, h.put(doc, "{\"v\":3}").statusCode());
    }

    @Test
    void shouldStillValidateTheRequestFirst() {
        h.controlPlane.quorum = false;
        assertError(h.put(doc, "{\"v\":"), 400, "malformed_json");
        assertError(h.put("/v1/tenants/NOT!VALID/docs/k", "1"), 400, "invalid_tenant");
    }

    @Test
    void shouldRefuseAHeldWriteWhoseNodeLostQuorumDuringThePause() {
        h.place(placement(acme, "us-east", List.of("us-east"), 1, WriteState.PAUSED));
        CompletableFuture<HttpResponse<String>> held = h.sendAsync(h.request(doc)
                .PUT(HttpRequest.BodyPublishers.ofString("\"x\"")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> h.registry.find(RouterMetrics.PLACEMENT_CACHE_GETS)
                .counters().stream().mapToDouble(c -> c.count()).sum() >= 1.0);

        h.controlPlane.quorum = false;
        h.place(placement(acme, "us-east", List.of("us-east"), 2, WriteState.ACTIVE));

        assertError(held.join(), 503, "coordination_lost");
        assertTrue(RouterHarness.sent(acme).isEmpty());
    }
}
