package io.meridian.client;

import static io.meridian.client.StubNode.error;
import static io.meridian.client.StubNode.written;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's handling of each kind of answer, against stub nodes over real HTTP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeridianClientTest {

    private static MeridianClient client(StubNode home, StubNode other) {
        return MeridianClient.builder().region("us-east", home.url()).region("eu-west", other.url())
                .operationTimeout(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void shouldFollowA307WithTheSameBodyAndKeyAndSendTheTenantsNextWritesToThePrimary() throws Exception {
        try (StubNode primary = new StubNode(r -> written("acme", "k", "3:42", 201));
             StubNode home = new StubNode(r -> new StubNode.Reply(307, "{\"error\":{\"code\":\"redirect\"}}",
                     "Location", primary.url() + r.path()));
             MeridianClient client = client(home, primary)) {
            WriteResult result = client.putJson("acme", "k", "{\"v\":1}");

            assertEquals(new Position(3, 42), result.position());
            StubNode.Request first = home.requests().get(0);
            StubNode.Request followed = primary.requests().get(0);
            assertEquals("PUT", followed.method());
            assertEquals("/v1/tenants/acme/docs/k", followed.path());
            assertEquals("{\"v\":1}", followed.body());
            assertEquals(first.header("Idempotency-Key"), followed.header("Idempotency-Key"));

            client.putJson("acme", "k2", "{\"v\":2}");
            assertEquals(1, home.requests().size(), "the second write went to the primary directly");
            assertEquals(2, primary.requests().size());
        }
    }

    @Test
    void shouldSendTheApiKeyWithEveryRequestAndRetryA429AfterItsRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubNode primary = new StubNode(r -> calls.incrementAndGet() == 1
                     ? error(429, "rate_limited", "\"scope\":\"tenant\"", "Retry-After", "1")
                     : written("acme", "k", "0:9", 201));
             StubNode home = new StubNode(r -> new StubNode.Reply(307, "{\"error\":{\"code\":\"redirect\"}}",
                     "Location", primary.url() + r.path()));
             MeridianClient client = MeridianClient.builder().region("us-east", home.url())
                     .region("eu-west", primary.url()).apiKey("mk_secret").operationTimeout(Duration.ofSeconds(10))
                     .requestTimeout(Duration.ofSeconds(5)).build()) {
            client.putJson("acme", "k", "{\"v\":1}");
            assertEquals("Bearer mk_secret", home.requests().get(0).header("Authorization"));
            assertEquals(2, primary.requests().size(), "the 429 was retried");
            for (StubNode.Request request : primary.requests()) {
                assertEquals("Bearer mk_secret", request.header("Authorization"), "also after the redirect");
            }
        }
    }

    @Test
    void shouldRetryA503AfterRetryAfterWithTheSameIdempotencyKey() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubNode home = new StubNode(r -> calls.incrementAndGet() == 1
                     ? error(503, "writes_paused", "", "Retry-After", "1") : written("acme", "k", "0:7", 201));
             StubNode other = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = client(home, other)) {
            long start = System.nanoTime();
            client.put("acme", "k", Map.of("v", 1), WriteOptions.none().withIdempotencyKey("order-17"));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(2, home.requests().size());
            assertEquals("order-17", home.requests().get(0).header("Idempotency-Key"));
            assertEquals("order-17", home.requests().get(1).header("Idempotency-Key"));
            assertTrue(waitedMs >= 990, "waited at least Retry-After (1 s), not " + waitedMs + " ms");
            assertTrue(waitedMs < 3000, "waited " + waitedMs + " ms, more than Retry-After with its jitter");
            assertTrue(other.requests().isEmpty());
        }
    }

    @Test
    void shouldFollowPlacementChangedToThePrimaryItNames() throws Exception {
        try (StubNode newPrimary = new StubNode(r -> written("acme", "k", "3:50", 201));
             StubNode home = new StubNode(r -> error(409, "placement_changed",
                     "\"primary\":\"eu-west\",\"epoch\":4"));
             MeridianClient client = client(home, newPrimary)) {
            WriteResult result = client.putJson("acme", "k", "{\"v\":1}");

            assertEquals(new Position(3, 50), result.position());
            assertEquals(home.requests().get(0).header("Idempotency-Key"),
                    newPrimary.requests().get(0).header("Idempotency-Key"));
        }
    }

    @Test
    void shouldReadWithTheSessionsPositionOfTheTenantsPartition() throws Exception {
        try (StubNode home = new StubNode(r -> r.method().equals("PUT") ? written("acme", "k", "3:42", 201)
                     : new StubNode.Reply(200, "{\"v\":1}", "X-Meridian-Position", "3:40", "X-Meridian-Epoch", "2",
                     "X-Meridian-Region", "us-east"));
             StubNode other = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = client(home, other)) {
            client.get("other", "k");
            assertNull(home.requests().get(0).header("X-Meridian-Min-Position"), "no position of that tenant yet");

            client.putJson("acme", "k", "{\"v\":1}");
            Document document = client.get("acme", "k").orElseThrow();

            assertEquals("3:42", home.requests().get(2).header("X-Meridian-Min-Position"));
            assertEquals("redirect", home.requests().get(2).header("X-Meridian-If-Paused"));
            assertEquals(1, document.value().get("v").asInt());
            assertEquals(new Position(3, 40), document.position());
            assertEquals(2, document.epoch());
            assertEquals("us-east", document.region());
            assertEquals(Map.of(3, 42L), client.session().positions(), "a read of an older version keeps 42");
        }
    }

    @Test
    void shouldMapTheApisErrorCodesToExceptions() throws Exception {
        try (StubNode home = new StubNode(r -> switch (r.path()) {
                 case "/v1/tenants/acme/docs/stale" -> error(412, "precondition_failed", "\"current\":\"3:9\"");
                 case "/v1/tenants/acme/docs/bad" -> error(400, "malformed_json", "");
                 case "/v1/tenants/nobody/docs/k" -> error(404, "tenant_not_found", "");
                 case "/v1/tenants/acme/docs/missing" -> error(404, "document_not_found", "");
                 default -> error(500, "internal", "");
             });
             StubNode other = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = client(home, other)) {
            ConflictException conflict = assertThrows(ConflictException.class, () -> client.putJson("acme", "stale",
                    "{}", WriteOptions.none().withIfMatch("3:1")));
            assertEquals("precondition_failed", conflict.code());
            assertEquals("3:9", conflict.current().orElseThrow());
            assertEquals("3:1", home.requests().get(0).header("If-Match"));
            assertEquals("acme", conflict.tenant());

            InvalidRequestException invalid = assertThrows(InvalidRequestException.class,
                    () -> client.putJson("acme", "bad", "{"));
            assertEquals("malformed_json", invalid.code());
            assertFalse(invalid.retriable());
            assertThrows(TenantNotFoundException.class, () -> client.get("nobody", "k"));
            assertTrue(client.get("acme", "missing").isEmpty());
            MeridianException internal = assertThrows(MeridianException.class, () -> client.delete("acme", "x"));
            assertEquals(MeridianException.class, internal.getClass());
            assertEquals(500, internal.status());
        }
    }

    @Test
    void shouldEndWithUnavailableCarryingTheKeyWhenTheBudgetRunsOut() throws Exception {
        try (StubNode home = new StubNode(r -> error(503, "apply_timeout", "", "Retry-After", "1"));
             StubNode other = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = MeridianClient.builder().region("us-east", home.url())
                     .region("eu-west", other.url()).operationTimeout(Duration.ofMillis(1500))
                     .requestTimeout(Duration.ofMillis(1000)).build()) {
            UnavailableException e = assertThrows(UnavailableException.class,
                    () -> client.putJson("acme", "k", "{}", WriteOptions.none().withIdempotencyKey("w-1")));
            assertEquals("apply_timeout", e.code());
            assertEquals("w-1", e.idempotencyKey().orElseThrow());
            assertTrue(e.mayHaveBeenApplied(), "an apply_timeout write may be applied");
            assertTrue(e.retriable());
            assertTrue(home.requests().size() >= 2, "retried within the budget");
        }
    }

    @Test
    void shouldKnowThatAWriteRefusedAsTheApplierWasBehindWasNotApplied() throws Exception {
        try (StubNode home = new StubNode(r -> error(503, "applier_behind", "", "Retry-After", "1"));
             MeridianClient client = MeridianClient.builder().region("us-east", home.url())
                     .operationTimeout(Duration.ofMillis(1500)).requestTimeout(Duration.ofMillis(1000)).build()) {
            UnavailableException e = assertThrows(UnavailableException.class,
                    () -> client.putJson("acme", "k", "{}", WriteOptions.none().withIdempotencyKey("w-1")));
            assertEquals("applier_behind", e.code());
            assertFalse(e.mayHaveBeenApplied(), "refused before it was produced");
            assertTrue(home.requests().size() >= 2, "retried within the budget");
        }
    }

    @Test
    void shouldTryTheNextRegionWhenTheHomeNodeDoesNotAnswer() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StubNode other = new StubNode(r -> written("acme", "k", "1:5", 201));
             MeridianClient client = MeridianClient.builder().region("us-east", "http://127.0.0.1:" + closedPort)
                     .region("eu-west", other.url()).metrics(new MicrometerClientMetrics(registry)).build()) {
            assertEquals(new Position(1, 5), client.putJson("acme", "k", "{}").position());

            assertEquals(1, registry.get(MicrometerClientMetrics.RETRIES).tag("reason", "unreachable").counter()
                    .count());
            assertEquals(1, registry.get(MicrometerClientMetrics.OPERATIONS).tag("op", "put")
                    .tag("outcome", "ok").timer().count());
        }
    }

    @Test
    void shouldNotFollowARedirectLoopForever() throws Exception {
        try (StubNode home = new StubNode(r -> new StubNode.Reply(307, "{}", "Location", r.path()));
             StubNode other = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = client(home, other)) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> client.get("acme", "k"));
            assertEquals(307, e.status());
            assertInstanceOf(UnavailableException.class, e);
        }
    }

    @Test
    void shouldFollowRedirectsAndRetryAfterWithoutBlockingWhenAsked() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (StubNode primary = new StubNode(r -> calls.incrementAndGet() == 1
                     ? error(503, "apply_timeout", "", "Retry-After", "1") : written("acme", "k", "2:9", 201));
             StubNode home = new StubNode(r -> new StubNode.Reply(307, "{}", "Location", primary.url() + r.path()));
             MeridianClient client = client(home, primary)) {
            CompletableFuture<WriteResult> future = client.putJsonAsync("acme", "k", "{\"v\":1}",
                    WriteOptions.none().withIdempotencyKey("async-1"));

            assertEquals(new Position(2, 9), future.get(10, TimeUnit.SECONDS).position());
            assertEquals(2, primary.requests().size());
            assertEquals("async-1", primary.requests().get(1).header("Idempotency-Key"));
            assertEquals("{\"v\":1}", primary.requests().get(1).body());
            assertEquals(Map.of(2, 9L), client.session().positions());
        }
    }

    @Test
    void shouldCompleteAnAsyncCallExceptionallyWithTheClientsExceptions() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (StubNode home = new StubNode(r -> error(412, "precondition_failed", "\"current\":\"absent\""));
             MeridianClient client = MeridianClient.builder().region("us-east", home.url())
                     .operationTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(1)).build();
             MeridianClient nowhere = MeridianClient.builder().region("us-east", "http://127.0.0.1:" + closedPort)
                     .operationTimeout(Duration.ofMillis(800)).requestTimeout(Duration.ofMillis(500)).build()) {
            CompletionException conflict = assertThrows(CompletionException.class, () -> client.putAsync("acme", "k",
                    Map.of(), WriteOptions.none().withIfMatch("1:1")).join());
            assertInstanceOf(ConflictException.class, conflict.getCause());

            CompletionException unreachable = assertThrows(CompletionException.class,
                    () -> nowhere.deleteAsync("acme", "k", WriteOptions.none()).join());
            UnavailableException e = assertInstanceOf(UnavailableException.class, unreachable.getCause());
            assertEquals("unreachable", e.code());
            assertFalse(e.mayHaveBeenApplied(), "refused connections never carried the write");
            assertTrue(e.idempotencyKey().isPresent());
        }
    }

    @Test
    void shouldTryTheOtherNodesOfARegionBeforeTheNextRegion() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (StubNode sibling = new StubNode(r -> written("acme", "k", "1:1", 201));
             StubNode otherRegion = new StubNode(r -> error(500, "internal", ""));
             MeridianClient client = MeridianClient.builder()
                     .region("us-east", "http://127.0.0.1:" + closedPort, sibling.url())
                     .region("eu-west", otherRegion.url()).build()) {
            assertEquals(new Position(1, 1), client.putJson("acme", "k", "{}").position());
            assertEquals(1, sibling.requests().size());
            assertTrue(otherRegion.requests().isEmpty());
        }
    }

    @Test
    void shouldReadAPinnedRegionOnlyWithItsOwnTokenAndNotFollowItsRedirect() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AtomicInteger calls = new AtomicInteger();
        try (StubNode home = new StubNode(r -> new StubNode.Reply(200, "{\"v\":0}", "X-Meridian-Position", "3:1"));
             // eu-west: behind at first (with the primary named, which a pinned read must not go to), then serves
             StubNode euWest = new StubNode(r -> r.path().endsWith("/elsewhere")
                     ? new StubNode.Reply(307, "", "Location", home.url() + r.path())
                     : calls.incrementAndGet() == 1
                     ? error(503, "position_not_reached", "\"primary\":\"us-east\"", "Retry-After", "0")
                     : new StubNode.Reply(200, "{\"v\":2}", "X-Meridian-Position", "3:42", "X-Meridian-Region",
                     "eu-west"));
             MeridianClient client = MeridianClient.builder().region("us-east", home.url())
                     .region("eu-west", "http://127.0.0.1:" + closedPort, euWest.url())
                     .operationTimeout(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(5)).build()) {
            client.session().observe("acme", new Position(3, 99));
            List<Attempt> attempts = new CopyOnWriteArrayList<>();
            ReadOptions pinned = ReadOptions.none().pinnedTo("eu-west").withMinPosition(new Position(3, 40))
                    .withAttemptListener(attempts::add);

            // A closed node of eu-west: its other node, never us-east; position_not_reached retried in eu-west.
            for (int read = 0; read < 3; read++) {
                Document document = client.get("acme", "k", pinned).orElseThrow();
                assertEquals(2, document.value().get("v").asInt());
                assertEquals("eu-west", document.region());
            }
            assertTrue(home.requests().isEmpty(), "nothing went to the primary or the home region");
            StubNode.Request first = euWest.requests().get(0);
            assertEquals("3:40", first.header("X-Meridian-Min-Position"), "the read's own token, not the session's");
            assertNull(first.header("X-Meridian-If-Paused"), "a pinned read waits in its region");
            assertTrue(attempts.stream().allMatch(a -> "eu-west".equals(a.region())), attempts.toString());
            assertTrue(attempts.stream().anyMatch(a -> a.status() == 503 && a.code().equals("position_not_reached")));
            assertEquals(4, euWest.requests().size(), "a 503 and three answers");

            // The region holds no copy: the 307 ends the read, not followed.
            MeridianException notThere = assertThrows(MeridianException.class,
                    () -> client.get("acme", "elsewhere", ReadOptions.none().pinnedTo("eu-west")));
            assertEquals(307, notThere.status());
            assertFalse(notThere instanceof UnavailableException, notThere.toString());
            assertTrue(home.requests().isEmpty(), "the redirect was not followed");
            assertThrows(IllegalArgumentException.class,
                    () -> client.get("acme", "k", ReadOptions.none().pinnedTo("ap-south")));
        }
    }

    @Test
    void shouldTellTheListenersOfEveryAttemptOfACall() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AtomicInteger calls = new AtomicInteger();
        List<Attempt> everyCall = new CopyOnWriteArrayList<>();
        List<Attempt> thisCall = new CopyOnWriteArrayList<>();
        try (StubNode primary = new StubNode(r -> calls.incrementAndGet() == 1
                     ? error(503, "apply_timeout", "", "Retry-After", "0") : written("acme", "k", "2:9", 201));
             StubNode euWest = new StubNode(r -> new StubNode.Reply(307, "{}", "Location", primary.url() + r.path()));
             MeridianClient client = MeridianClient.builder().region("us-east", "http://127.0.0.1:" + closedPort)
                     .region("eu-west", euWest.url()).attemptListener(everyCall::add).build()) {
            client.putJson("acme", "k", "{}", WriteOptions.none().withIdempotencyKey("w-9")
                    .withAttemptListener(thisCall::add));

            assertEquals(List.of(0, 307, 503, 201), thisCall.stream().map(Attempt::status).toList());
            assertEquals(List.of("unreachable", "http_307", "apply_timeout", ""),
                    thisCall.stream().map(Attempt::code).toList());
            assertEquals(java.util.Arrays.asList("us-east", "eu-west", null, null),
                    thisCall.stream().map(Attempt::region).toList(), "the primary is none of the configured nodes");
            assertTrue(thisCall.stream().allMatch(a -> "w-9".equals(a.idempotencyKey())));
            assertTrue(thisCall.get(0).errorText().isPresent());
            assertEquals(thisCall, everyCall);
        }
    }

    @Test
    void shouldRefuseASettingThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> MeridianClient.builder().region("us-east", "localhost:8081"));
        assertThrows(IllegalStateException.class, () -> MeridianClient.builder().build());
        assertThrows(IllegalStateException.class, () -> MeridianClient.builder().region("us-east", "http://h:1")
                .requestTimeout(Duration.ofSeconds(30)).operationTimeout(Duration.ofSeconds(5)).build());
        assertThrows(IllegalArgumentException.class, () -> MeridianClient.builder().operationTimeout(Duration.ZERO));
    }

    @Test
    void shouldParseAndOrderPositions() {
        assertEquals(new Position(3, 1042), Position.parse("3:1042"));
        assertEquals("3:1042", new Position(3, 1042).toString());
        assertTrue(Position.parse("3:9").compareTo(Position.parse("3:10")) < 0);
        assertThrows(IllegalArgumentException.class, () -> Position.parse("3"));
        assertThrows(IllegalArgumentException.class, () -> Position.parse("a:1"));
        assertThrows(IllegalArgumentException.class, () -> Position.parse("-1:1"));
    }

    @Test
    void shouldParseTheErrorBody() {
        ErrorBody body = ErrorBody.parse("{\"error\":{\"code\":\"placement_changed\",\"message\":\"m\",\"primary\":\"eu-west\",\"epoch\":4}}"
                .getBytes()).orElseThrow();
        assertEquals("placement_changed", body.code());
        assertEquals("m", body.message());
        assertEquals("eu-west", body.detail("primary").orElseThrow());
        assertEquals(4, body.details().get("epoch").asInt());
        assertTrue(ErrorBody.parse("not json".getBytes()).isEmpty());
        assertTrue(ErrorBody.parse(new byte[0]).isEmpty());
        assertTrue(ErrorBody.parse("{\"tenant\":\"acme\"}".getBytes()).isEmpty());
    }
}
