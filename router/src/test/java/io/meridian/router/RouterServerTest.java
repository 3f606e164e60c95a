package io.meridian.router;

import static io.meridian.router.RouterHarness.code;
import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterHarness.placement;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP contract of the document API, over real HTTP, with the WAL and the applier in memory. */
@Timeout(60)
class RouterServerTest {
    private static final String DOC = "/v1/tenants/acme/docs/user-1";
    /** The deepest nesting of arrays and objects a document may have, as API.md documents it. */
    private static final int MAX_DEPTH = 200;

    private RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** A fresh server with short limits: {@code key=value} config overrides. */
    private void restartWith(String... keyValues) {
        h.close();
        java.util.Map<String, String> overrides = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        h = new RouterHarness(overrides);
    }

    private static final String APPLY_TIMEOUT = io.meridian.infra.config.MeridianConfig.WRITE_APPLY_TIMEOUT_MS;
    private static final String PAUSE_BUDGET = io.meridian.infra.config.MeridianConfig.WRITE_PAUSE_BUDGET_MS;
    private static final String MIN_POSITION_WAIT = io.meridian.infra.config.MeridianConfig.READ_MIN_POSITION_WAIT_MS;

    @Test
    void shouldAcceptPutThenServeTheDocumentWithItsPosition() {
        h.givenTenantHere("acme");

        HttpResponse<String> put = h.put(DOC, "{\"name\":\"Ada\"}");

        assertEquals(201, put.statusCode(), put.body());
        assertEquals("{\"tenant\":\"acme\",\"key\":\"user-1\",\"position\":\"0:0\",\"epoch\":1,\"region\":\"us-east\"}",
                put.body());
        assertEquals("0:0", header(put, "X-Meridian-Position"));

        HttpResponse<String> get = h.get(DOC);
        assertEquals(200, get.statusCode());
        assertEquals("{\"name\":\"Ada\"}", get.body());
        assertEquals("0:0", header(get, "X-Meridian-Position"));
        assertEquals("1", header(get, "X-Meridian-Epoch"));
        assertEquals("us-east", header(get, "X-Meridian-Region"));
        assertTrue(header(get, "Content-Type").startsWith("application/json"));
    }

    @Test
    void shouldWriteTheRecordWithPlacementEpochRegionAndIdempotencyKey() {
        h.region.setPlacement(placement("acme", "us-east", List.of("us-east"), 7, WriteState.ACTIVE));

        assertEquals(201, h.put(DOC, "[1,2]", "Idempotency-Key", "req-42").statusCode());

        WalRecord.Put put = (WalRecord.Put) h.wal.sent.get(0);
        assertEquals("acme", put.tenant());
        assertEquals("user-1", put.key());
        assertEquals("[1,2]", put.value().toString());
        assertEquals(7, put.epoch());
        assertEquals("us-east", put.region());
        assertEquals("req-42", put.writeId());
        assertTrue(put.hlc() > 0);
    }

    @Test
    void shouldGiveEveryWriteWithoutIdempotencyKeyItsOwnId() {
        h.givenTenantHere("acme");
        h.put(DOC, "1");
        h.put(DOC, "1");
        String first = ((WalRecord.Put) h.wal.sent.get(0)).writeId();
        String second = ((WalRecord.Put) h.wal.sent.get(1)).writeId();
        assertFalse(first.equals(second));
    }

    @Test
    void shouldDeleteWith200AndThenAnswerDocumentNotFound() {
        h.givenTenantHere("acme");
        h.put(DOC, "1");

        HttpResponse<String> delete = h.delete(DOC);

        assertEquals(200, delete.statusCode(), delete.body());
        assertEquals("0:1", json(delete).get("position").asText());
        assertInstanceOf(WalRecord.Delete.class, h.wal.sent.get(1));
        assertError(h.get(DOC), 404, "document_not_found");
    }

    @Test
    void shouldAcceptAnyJsonValueButNull() {
        h.givenTenantHere("acme");
        assertEquals(201, h.put(DOC, "\"text\"").statusCode());
        assertEquals(201, h.put(DOC, "42").statusCode());
        assertEquals(201, h.put(DOC, "true").statusCode());

        assertError(h.put(DOC, "null"), 400, "invalid_document");
        assertEquals("true", h.get(DOC).body());
    }

    @Test
    void shouldRejectBadWriteInputWithoutWritingAnything() {
        h.givenTenantHere("acme");
        h.put(DOC, "{\"v\":1}");
        int before = h.wal.sent.size();

        assertError(h.put("/v1/tenants/ACME!/docs/user-1", "1"), 400, "invalid_tenant");
        assertError(h.put("/v1/tenants/acme/docs/bad%20key", "1"), 400, "invalid_key");
        assertError(h.put(DOC, "{\"v\":"), 400, "malformed_json");
        assertError(h.put(DOC, ""), 400, "malformed_json");
        assertError(h.put(DOC, "{\"v\":1} trailing"), 400, "malformed_json");
        assertError(h.put(DOC, "\"" + "x".repeat(1100) + "\""), 413, "body_too_large");
        assertError(h.put(DOC, "1", "Idempotency-Key", "x".repeat(129)), 400, "invalid_idempotency_key");
        assertError(h.put("/v1/tenants/nobody/docs/user-1", "1"), 404, "tenant_not_found");
        assertError(h.delete("/v1/tenants/acme/docs/bad%20key"), 400, "invalid_key");

        assertEquals(before, h.wal.sent.size());
        assertEquals("{\"v\":1}", h.get(DOC).body());
    }

    @Test
    void shouldRefuseANumberBeyondTheRangeOfADoubleInsteadOfStoringInfinity() {
        h.givenTenantHere("acme");

        for (String body : List.of("{\"x\":1e400}", "{\"x\":-1e400}", "[1.8e308]", "{\"x\":NaN}", "Infinity",
                "-Infinity")) {
            HttpResponse<String> response = h.put(DOC, body);
            assertError(response, 400, "malformed_json");
        }
        assertTrue(message(h.put(DOC, "{\"x\":1e400}")).contains("/x"));
        assertTrue(h.wal.sent.isEmpty(), "nothing produced");
        assertEquals(201, h.put(DOC, "{\"x\":1.7e308,\"y\":-4.9e-324}").statusCode());
    }

    @Test
    void shouldRefuseADocumentNestedDeeperThanTheLimitWith400AtEveryDepth() {
        restartWith(io.meridian.infra.config.MeridianConfig.HTTP_MAX_BODY_BYTES, "1000000");
        h.givenTenantHere("acme");

        for (int depth : new int[] {MAX_DEPTH + 1, 500, 1000, 1001, 5000, 100_000}) {
            HttpResponse<String> response = h.put(DOC, "[".repeat(depth) + "]".repeat(depth));
            assertError(response, 400, "malformed_json");
            assertTrue(message(response).contains(Integer.toString(MAX_DEPTH)), response.body());
        }
        assertTrue(h.wal.sent.isEmpty(), "nothing produced");
        int depth = MAX_DEPTH;
        assertEquals(201, h.put(DOC, "[".repeat(depth) + "]".repeat(depth)).statusCode());
    }

    @Test
    void shouldAnswer413WhenTheDocumentsWalRecordWouldExceedTheProducersMaxRequestSize() {
        restartWith("kafka.max.request.size", "1000");
        h.givenTenantHere("acme");

        HttpResponse<String> response = h.put(DOC, "\"" + "x".repeat(1000) + "\"");

        assertError(response, 413, "document_too_large");
        assertEquals("", header(response, "Retry-After"));
        assertTrue(message(response).contains("max.request.size"), response.body());
        assertTrue(message(response).contains("1000"), response.body());
        assertTrue(h.wal.sent.isEmpty(), "nothing produced");
        assertEquals(201, h.put(DOC, "\"" + "x".repeat(100) + "\"").statusCode());
    }

    @Test
    void shouldAnswer413WhenKafkaRefusesTheRecordAsTooLarge() {
        h.givenTenantHere("acme");
        h.wal.mode = FakeWal.Mode.RECORD_TOO_LARGE;

        HttpResponse<String> response = h.put(DOC, "1");

        assertError(response, 413, "document_too_large");
        assertEquals("", header(response, "Retry-After"));
    }

    @Test
    void shouldRefuseAChunkedBodyLargerThanTheLimit() {
        h.givenTenantHere("acme");
        byte[] big = ("\"" + "y".repeat(5000) + "\"").getBytes(StandardCharsets.UTF_8);
        // ofInputStream has no known length: the body is sent chunked, without Content-Length.
        HttpResponse<String> response = h.send(h.request(DOC)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertError(response, 413, "body_too_large");
        assertTrue(h.wal.sent.isEmpty());
    }

    @Test
    void shouldRedirectAWriteToThePrimaryConfiguredUrlKeepingPathAndQuery() {
        h.region.setPlacement(placement("acme", "eu-west", List.of("us-east", "eu-west"), 3, WriteState.ACTIVE));

        HttpResponse<String> response = h.put(DOC + "?trace=1&x=%2F", "{\"a\":1}");

        assertEquals(307, response.statusCode());
        assertEquals("https://eu-west.example.test/meridian/v1/tenants/acme/docs/user-1?trace=1&x=%2F",
                header(response, "Location"));
        assertEquals("redirect", code(response));
        assertEquals("eu-west", json(response).at("/error/region").asText());
        assertTrue(h.wal.sent.isEmpty());
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "not_primary")
                .counter().count());
    }

    @Test
    void shouldNeverTakeTheRedirectTargetFromTheHostHeader() throws Exception {
        h.region.setPlacement(placement("acme", "eu-west", List.of("eu-west"), 1, WriteState.ACTIVE));
        // java.net.http does not let a test set Host: speak HTTP/1.1 on a socket.
        try (Socket socket = new Socket("127.0.0.1", h.server.port())) {
            socket.setSoTimeout(10_000);
            String request = "DELETE " + DOC + " HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 307"), answer);
            assertTrue(answer.contains("Location: https://eu-west.example.test/meridian" + DOC + "\r\n"), answer);
            assertFalse(answer.contains("evil.example.com"), answer);
        }
    }

    @Test
    void shouldHoldAWriteWhilePausedAndProceedWhenWritesResume() {
        Placement paused = placement("acme", "us-east", List.of("us-east"), 4, WriteState.PAUSED);
        h.region.setPlacement(paused);

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(DOC).PUT(HttpRequest.BodyPublishers.ofString("1")).build());
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        h.region.setPlacement(paused.withWrites(WriteState.ACTIVE, 5));

        HttpResponse<String> response = pending.join();
        assertEquals(201, response.statusCode(), response.body());
        assertEquals(5, json(response).get("epoch").asLong());
        assertEquals(1, h.wal.sent.size());
    }

    @Test
    void shouldRedirectAHeldWriteWhenThePrimaryMovesDuringThePause() {
        h.region.setPlacement(placement("acme", "us-east", List.of("us-east", "eu-west"), 4, WriteState.PAUSED));

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(DOC).PUT(HttpRequest.BodyPublishers.ofString("1")).build());
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        h.region.setPlacement(placement("acme", "eu-west", List.of("us-east", "eu-west"), 5, WriteState.ACTIVE));

        HttpResponse<String> response = pending.join();
        assertEquals(307, response.statusCode(), response.body());
        assertEquals(RouterHarness.URLS.get("eu-west") + DOC, header(response, "Location"));
        assertTrue(h.wal.sent.isEmpty());
    }

    @Test
    void shouldAnswerWritesPausedWithRetryAfterWhenThePauseOutlastsTheBudget() {
        restartWith(PAUSE_BUDGET, "400");
        h.region.setPlacement(placement("acme", "us-east", List.of("us-east"), 4, WriteState.PAUSED));

        long start = System.nanoTime();
        HttpResponse<String> response = h.put(DOC, "1");

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 350, "held for the pause budget");
        assertError(response, 503, "writes_paused");
        assertEquals("2", header(response, "Retry-After"));
        assertTrue(h.wal.sent.isEmpty());
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "paused").timer().count());
    }

    @Test
    void shouldAnswerPlacementChangedWithTheNewPrimaryWhenTheApplierRejectsAStaleEpoch() {
        h.givenTenantHere("acme");
        h.put(DOC, "\"old\"");
        // The applier has seen a fence (epoch 2, primary eu-west) that the placement view does not show yet.
        h.wal.fences.put("acme", placement("acme", "eu-west", List.of("us-east", "eu-west"), 2, WriteState.ACTIVE));

        HttpResponse<String> response = h.put(DOC, "\"new\"");

        assertError(response, 409, "placement_changed");
        assertEquals("eu-west", json(response).at("/error/primary").asText());
        assertEquals(2, json(response).at("/error/epoch").asLong());
        assertTrue(message(response).contains("eu-west") && message(response).contains("NOT applied"));
        assertEquals("\"old\"", h.get(DOC).body());
    }

    @Test
    void shouldRetryOnceOnTheNewPlacementWhenTheWriteRacedAPause() {
        Placement active = h.givenTenantHere("acme");
        Placement paused = active.withWrites(WriteState.PAUSED, 2);
        h.wal.fences.put("acme", paused);  // the applier saw the pause; the view has not yet

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(DOC).PUT(HttpRequest.BodyPublishers.ofString("\"v\"")).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> h.wal.sent.size() == 1);
        Placement resumed = paused.withWrites(WriteState.ACTIVE, 3);
        h.wal.fences.put("acme", resumed);
        h.region.setPlacement(paused);
        h.region.setPlacement(resumed);

        HttpResponse<String> response = pending.join();
        assertEquals(201, response.statusCode(), response.body());
        assertEquals(3, json(response).get("epoch").asLong());
        assertEquals(2, h.wal.sent.size());
        assertEquals(3, ((WalRecord.Put) h.wal.sent.get(1)).epoch());
    }

    @Test
    void shouldAnswerWritesPausedWhenARejectedPausedWriteSeesNoChangeWithinTheBudget() {
        restartWith(PAUSE_BUDGET, "300");
        Placement active = h.givenTenantHere("acme");
        h.wal.fences.put("acme", active.withWrites(WriteState.PAUSED, 2));

        assertError(h.put(DOC, "1"), 503, "writes_paused");
        assertEquals(1, h.wal.sent.size());
    }

    @Test
    void shouldAnswerApplyTimeoutAndForgetTheWriteSoThatTheClientCanRetry() {
        restartWith(APPLY_TIMEOUT, "300");
        h.givenTenantHere("acme");
        h.wal.mode = FakeWal.Mode.SILENT;

        HttpResponse<String> response = h.put(DOC, "1", "Idempotency-Key", "k-1");

        assertError(response, 503, "apply_timeout");
        assertEquals("2", header(response, "Retry-After"));
        assertTrue(message(response).contains("may still be applied"), message(response));
        assertTrue(message(response).contains("Idempotency-Key"), message(response));
        h.wal.mode = FakeWal.Mode.APPLY;
        assertEquals(201, h.put(DOC, "1", "Idempotency-Key", "k-1").statusCode());
    }

    @Test
    void shouldAcceptConcurrentWritesOfTwoTenantsSharingAnIdempotencyKeyEachOnItsOwnRecord() {
        h.givenTenantHere("ta");
        h.givenTenantHere("tb");
        for (int round = 0; round < 10; round++) {
            String key = "shared-" + round;
            CompletableFuture<HttpResponse<String>> a = h.sendAsync(h.request("/v1/tenants/ta/docs/k")
                    .header("Idempotency-Key", key).PUT(HttpRequest.BodyPublishers.ofString("{\"t\":\"a\"}")).build());
            CompletableFuture<HttpResponse<String>> b = h.sendAsync(h.request("/v1/tenants/tb/docs/k")
                    .header("Idempotency-Key", key).PUT(HttpRequest.BodyPublishers.ofString("{\"t\":\"b\"}")).build());

            HttpResponse<String> ra = a.join();
            HttpResponse<String> rb = b.join();
            assertEquals(201, ra.statusCode(), ra.body());
            assertEquals(201, rb.statusCode(), rb.body());
            assertEquals("ta", json(ra).get("tenant").asText());
            assertNotEquals(header(ra, "X-Meridian-Position"), header(rb, "X-Meridian-Position"),
                    "each answer names its own record");
        }
    }

    @Test
    void shouldAnswerKafkaUnavailableWhenTheSendFails() {
        h.givenTenantHere("acme");
        h.wal.mode = FakeWal.Mode.SEND_FAILS;

        HttpResponse<String> response = h.put(DOC, "1");

        assertError(response, 503, "kafka_unavailable");
        assertEquals("2", header(response, "Retry-After"));
    }

    @Test
    void shouldAnswerTenantNotFoundWhenTheApplierHasNoFenceForTheTenant() {
        h.givenTenantHere("acme");
        h.put(DOC, "1");  // the placement is cached now
        h.region.placements.clear();  // the applier (and view) no longer know it

        assertError(h.put(DOC, "2"), 404, "tenant_not_found");
    }

    @Test
    void shouldRecordWriteOutcomesCacheLookUpsAndRequests() {
        restartWith(APPLY_TIMEOUT, "300");
        h.givenTenantHere("acme");
        h.put(DOC, "1");
        h.wal.mode = FakeWal.Mode.SILENT;
        h.put(DOC, "2");

        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "accepted").timer()
                .count());
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "timeout").timer()
                .count());
        assertTrue(h.registry.get(RouterMetrics.PLACEMENT_CACHE_GETS).tag(RouterMetrics.TAG_RESULT, "hit").counter()
                .count() >= 1.0);
        assertTrue(h.registry.get(RouterMetrics.PLACEMENT_CACHE_GETS).tag(RouterMetrics.TAG_RESULT, "miss").counter()
                .count() >= 1.0);
        await().atMost(Duration.ofSeconds(5)).until(() -> h.registry.find(RouterMetrics.HTTP_REQUESTS)
                .tag(RouterMetrics.TAG_ROUTE, "/v1/tenants/{tenant}/docs/{key}").tag(RouterMetrics.TAG_METHOD, "PUT")
                .tag(RouterMetrics.TAG_STATUS, "503").timer() != null);
        assertEquals(1, h.registry.get(RouterMetrics.HTTP_REQUESTS).tag(RouterMetrics.TAG_STATUS, "201").timer()
                .count());
    }

    // ---- reads

    @Test
    void shouldRedirectAReadToThePrimaryWhenThisRegionHoldsNoCopy() {
        h.region.setPlacement(placement("acme", "eu-west", List.of("eu-west", "ap-south"), 1, WriteState.ACTIVE));

        HttpResponse<String> response = h.get(DOC + "?q=1");

        assertEquals(307, response.statusCode());
        assertEquals(RouterHarness.URLS.get("eu-west") + DOC + "?q=1", header(response, "Location"));
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "not_replica")
                .counter().count());
    }

    @Test
    void shouldFollowThePreferredRegionHeader() {
        h.region.setPlacement(placement("acme", "us-east", List.of("us-east", "ap-south"), 1, WriteState.ACTIVE));
        h.put(DOC, "1");

        HttpResponse<String> there = h.get(DOC, "X-Meridian-Preferred-Region", "ap-south");
        assertEquals(307, there.statusCode());
        assertEquals(RouterHarness.URLS.get("ap-south") + DOC, header(there, "Location"));
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "preferred_region")
                .counter().count());

        assertEquals(200, h.get(DOC, "X-Meridian-Preferred-Region", "us-east").statusCode());
        assertError(h.get(DOC, "X-Meridian-Preferred-Region", "eu-west"), 400, "not_a_replica");
        assertError(h.get(DOC, "X-Meridian-Preferred-Region", "mars-1"), 400, "invalid_region");
        assertError(h.get(DOC, "X-Meridian-Preferred-Region", "NOT_A_REGION"), 400, "invalid_region");
    }

    @Test
    void shouldWaitForTheMinimumPositionBeforeReading() {
        h.givenTenantHere("acme");
        h.put(DOC, "1");  // applied at 0:0

        assertEquals(200, h.get(DOC, "X-Meridian-Min-Position", "0:0").statusCode());

        h.wal.mode = FakeWal.Mode.SILENT;
        CompletableFuture<HttpResponse<String>> waiting = h.sendAsync(
                h.request(DOC).header("X-Meridian-Min-Position", "0:1").GET().build());
        h.tracker.onApplied(new io.meridian.infra.model.Position(0, 1));  // the applier passes 0:1 within the wait
        HttpResponse<String> response = waiting.join();
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void shouldAnswerPositionNotReachedWhenTheRegionLagsBehindTheMinimumPosition() {
        restartWith(MIN_POSITION_WAIT, "200");
        h.givenTenantHere("acme");
        h.put(DOC, "1");

        HttpResponse<String> response = h.get(DOC, "X-Meridian-Min-Position", "0:99");

        assertError(response, 503, "position_not_reached");
        assertEquals("2", header(response, "Retry-After"));
    }

    @Test
    void shouldRejectAnInvalidMinimumPosition() {
        h.givenTenantHere("acme");
        assertError(h.get(DOC, "X-Meridian-Min-Position", "abc"), 400, "invalid_position");
        assertError(h.get(DOC, "X-Meridian-Min-Position", "-1:5"), 400, "invalid_position");
        assertError(h.get(DOC, "X-Meridian-Min-Position", "12:5"), 400, "invalid_position");  // the WAL has 12
    }

    @Test
    void shouldAnswerNotFoundForUnknownTenantsAndDocuments() {
        assertError(h.get(DOC), 404, "tenant_not_found");
        h.givenTenantHere("acme");
        assertError(h.get(DOC), 404, "document_not_found");
        assertError(h.get("/v1/tenants/Bad_Tenant/docs/k"), 400, "invalid_tenant");
    }

    @Test
    void shouldAnswerNotReadyWhileTheRegionStateIsNotQueryable() {
        h.region.ready = false;
        HttpResponse<String> response = h.get(DOC);
        assertError(response, 503, "not_ready");
        assertEquals("2", header(response, "Retry-After"));
        assertError(h.put(DOC, "1"), 503, "not_ready");
    }

    @Test
    void shouldAnswerInternalWithoutAStackTraceOnAnUnexpectedFailure() {
        h.givenTenantHere("acme");
        h.region.failure = new IllegalStateException("boom at io.meridian.Secret.method(Secret.java:1)");
        h.server.invalidatePlacements();

        HttpResponse<String> response = h.get(DOC);

        assertError(response, 500, "internal");
        assertFalse(response.body().contains("boom") || response.body().contains("Secret.java"), response.body());
    }

    @Test
    void shouldSeeANewTenantAndAChangedPlacementAtOnce() {
        assertError(h.put(DOC, "1"), 404, "tenant_not_found");
        Placement p = h.givenTenantHere("acme");
        assertEquals(201, h.put(DOC, "1").statusCode());
        h.region.setPlacement(p.withPrimary("eu-west", 2));
        assertEquals(307, h.put(DOC, "1").statusCode());
    }

    // ---- the rest of the surface

    @Test
    void shouldAnswerNotFoundForUnknownRoutesAndMethodNotAllowedForWrongMethods() {
        assertError(h.get("/v2/whatever"), 404, "not_found");
        assertError(h.send(h.request(DOC).method("PATCH", HttpRequest.BodyPublishers.ofString("1")).build()),
                405, "method_not_allowed");
        assertError(h.send(h.request("/health/live").POST(HttpRequest.BodyPublishers.noBody()).build()),
                405, "method_not_allowed");
    }

    @Test
    void shouldReportLivenessReadinessAndMetrics() {
        HttpResponse<String> live = h.get("/health/live");
        assertEquals(200, live.statusCode());
        assertEquals("{\"status\":\"up\"}", live.body());
        assertEquals(200, h.get("/health/ready").statusCode());
        h.region.ready = false;
        HttpResponse<String> notReady = h.get("/health/ready");
        assertEquals(503, notReady.statusCode());
        assertEquals("starting", json(notReady).get("status").asText());

        HttpResponse<String> metrics = h.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(header(metrics, "Content-Type").startsWith("text/plain; version=0.0.4"), header(metrics, "Content-Type"));
        for (String name : List.of("meridian_http_requests_seconds_count", "meridian_router_redirects_total",
                "meridian_placement_cache_gets_total", "meridian_placement_cache_size")) {
            assertTrue(metrics.body().contains(name), name);
        }
    }

    @Test
    void shouldNeverRedirectHealthOrAdmin() {
        h.region.setPlacement(placement("acme", "eu-west", List.of("eu-west"), 1, WriteState.ACTIVE));
        assertEquals(200, h.get("/health/live").statusCode());
        assertEquals(200, h.admin("GET", "/admin/tenants/acme/placement", null).statusCode());
    }

    @Test
    void shouldFailASecondStartAndCloseTwiceQuietly() {
        IllegalStateException e = assertThrows(IllegalStateException.class, h.server::start);
        assertTrue(e.getMessage().contains("already"));
        assertTrue(h.server.port() > 0);
        h.server.close();
        h.server.close();
    }

    static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, code(response), response.body());
        assertFalse(message(response).isBlank(), "message of " + response.body());
        assertTrue(header(response, "Content-Type").startsWith("application/json"), header(response, "Content-Type"));
    }
}
