package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.router.RouterMetrics.RedirectReason;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private static final Map<String, URI> URLS = new LinkedHashMap<>(Map.of(
            "us-east", URI.create("https://us-east.example.com"),
            "eu-west", URI.create("https://eu-west.example.com/base"),
            "ap-south", URI.create("http://10.0.0.3:8080")));
    private final Routing routing = new Routing("us-east", URLS);

    private static Placement placement(String primary, List<String> replicas, WriteState writes,
                                       ReplicationMode mode) {
        return new Placement("acme", primary, replicas, 3, writes, ConflictStrategy.REJECT, mode);
    }

    private static Placement single(String primary, String... replicas) {
        return placement(primary, List.of(replicas), WriteState.ACTIVE, ReplicationMode.SINGLE_PRIMARY);
    }

    @Test
    void shouldRedirectReadsOfARegionStillSyncingTheTenantToThePrimary() {
        Placement syncing = single("eu-west", "us-east", "eu-west").withReplicas(List.of("us-east", "eu-west"),
                List.of("us-east"), 4);
        assertEquals(new Routing.Redirect("eu-west", RedirectReason.SYNCING), routing.forRead(syncing, null));
        assertEquals(new Routing.Redirect("eu-west", RedirectReason.SYNCING), routing.forRead(syncing, "us-east"));
        Placement multi = placement("eu-west", List.of("us-east", "eu-west"), WriteState.ACTIVE,
                ReplicationMode.MULTI_PRIMARY).withReplicas(List.of("us-east", "eu-west"), List.of("us-east"), 4);
        assertEquals(new Routing.Redirect("eu-west", RedirectReason.SYNCING), routing.forWrite(multi));
        assertInstanceOf(Routing.Serve.class, routing.forRead(single("eu-west", "us-east", "eu-west"), null));
    }

    @Test
    void shouldServeAWriteInThePrimaryRegion() {
        assertInstanceOf(Routing.Serve.class, routing.forWrite(single("us-east", "us-east", "eu-west")));
    }

    @Test
    void shouldRedirectAWriteFromAReplicaToThePrimary() {
        assertEquals(new Routing.Redirect("eu-west", RedirectReason.NOT_PRIMARY),
                routing.forWrite(single("eu-west", "us-east", "eu-west")));
    }

    @Test
    void shouldRedirectAWriteFromARegionOutsideThePlacementToThePrimary() {
        assertEquals(new Routing.Redirect("ap-south", RedirectReason.NOT_PRIMARY),
                routing.forWrite(single("ap-south", "ap-south")));
    }

    @Test
    void shouldServeAWriteInAnyReplicaInMultiPrimaryMode() {
        Placement multi = placement("eu-west", List.of("us-east", "eu-west"), WriteState.ACTIVE,
                ReplicationMode.MULTI_PRIMARY);
        assertInstanceOf(Routing.Serve.class, routing.forWrite(multi));
    }

    @Test
    void shouldHoldAWriteWhileWritesArePausedInThePrimary() {
        assertInstanceOf(Routing.Hold.class, routing.forWrite(
                placement("us-east", List.of("us-east"), WriteState.PAUSED, ReplicationMode.SINGLE_PRIMARY)));
    }

    @Test
    void shouldRedirectRatherThanHoldAPausedWriteInANonPrimary() {
        assertInstanceOf(Routing.Redirect.class, routing.forWrite(
                placement("eu-west", List.of("eu-west", "us-east"), WriteState.PAUSED, ReplicationMode.SINGLE_PRIMARY)));
    }

    @Test
    void shouldServeAReadInAnyReplicaAndRedirectOthersToThePrimary() {
        assertInstanceOf(Routing.Serve.class, routing.forRead(single("eu-west", "eu-west", "us-east"), null));
        assertEquals(new Routing.Redirect("eu-west", RedirectReason.NOT_REPLICA),
                routing.forRead(single("eu-west", "eu-west", "ap-south"), null));
    }

    @Test
    void shouldRouteAReadToThePreferredReplica() {
        Placement p = single("us-east", "us-east", "ap-south");
        assertEquals(new Routing.Redirect("ap-south", RedirectReason.PREFERRED_REGION), routing.forRead(p, "ap-south"));
        assertInstanceOf(Routing.Serve.class, routing.forRead(p, "us-east"));
        assertInstanceOf(Routing.Serve.class, routing.forRead(p, " us-east "));
    }

    @Test
    void shouldRejectAPreferredRegionThatIsUnknownOrNotAReplica() {
        Placement p = single("us-east", "us-east");
        assertEquals(ErrorCode.INVALID_REGION, assertThrows(ApiException.class, () -> routing.forRead(p, "mars")).code());
        assertEquals(ErrorCode.INVALID_REGION, assertThrows(ApiException.class, () -> routing.forRead(p, "")).code());
        assertEquals(ErrorCode.INVALID_REGION,
                assertThrows(ApiException.class, () -> routing.forRead(p, "US-EAST")).code());
        ApiException notReplica = assertThrows(ApiException.class, () -> routing.forRead(p, "eu-west"));
        assertEquals(ErrorCode.NOT_A_REPLICA, notReplica.code());
        // Asking for this region when it holds no copy is the caller's mistake too, not a redirect.
        assertEquals(ErrorCode.NOT_A_REPLICA, assertThrows(ApiException.class,
                () -> routing.forRead(single("eu-west", "eu-west"), "us-east")).code());
    }

    @Test
    void shouldBuildTheLocationFromTheConfiguredUrlPathAndQuery() {
        assertEquals("https://eu-west.example.com/base/v1/tenants/acme/docs/k%2Fx?a=1&b=%20",
                routing.location("eu-west", "/v1/tenants/acme/docs/k%2Fx", "a=1&b=%20"));
        assertEquals("http://10.0.0.3:8080/v1/tenants/acme/docs/k", routing.location("ap-south",
                "/v1/tenants/acme/docs/k", null));
        assertEquals("http://10.0.0.3:8080/v1/tenants/acme/docs/k", routing.location("ap-south",
                "/v1/tenants/acme/docs/k", ""));
    }

    @Test
    void shouldAnswerARedirectWith307LocationAndABodySayingWhere() {
        Reply reply = routing.redirectReply(new Routing.Redirect("eu-west", RedirectReason.NOT_PRIMARY), "acme",
                "/v1/tenants/acme/docs/k", "x=1");
        assertEquals(307, reply.status());
        assertEquals("https://eu-west.example.com/base/v1/tenants/acme/docs/k?x=1", reply.header("Location"));
        var body = io.meridian.infra.serde.Json.readTree(reply.body());
        assertEquals("redirect", body.at("/error/code").asText());
        assertEquals("eu-west", body.at("/error/region").asText());
        assertEquals("not_primary", body.at("/error/reason").asText());
    }

    @Test
    void shouldRefuseARegionWithoutUrl() {
        assertThrows(IllegalArgumentException.class, () -> new Routing("sa-east", URLS));
    }
}
