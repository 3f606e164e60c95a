package io.meridian.router;

import static io.meridian.router.RouterHarness.code;
import static io.meridian.router.RouterHarness.json;
import static io.meridian.router.RouterHarness.message;
import static io.meridian.router.RouterHarness.placement;
import static io.meridian.router.RouterHarness.sent;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.topics.WalPartitioner;
import io.meridian.router.internal.RegionView;
import io.meridian.streams.RegionStreams;
import io.meridian.streams.StoredDocument;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP contract of the document API, over real HTTP, on real Kafka: the router's own WAL producer, this region's
 * real applier and placement view ({@link SharedRegions}), and placements committed as the controller commits them.
 * Every test has its own tenants.
 */
@Tag("integration")
@Timeout(120)
class RouterServerTest {
    /** The deepest nesting of arrays and objects a document may have, as API.md documents it. */
    private static final int MAX_DEPTH = 200;
    private static final String APPLY_TIMEOUT = RouterConfigs.WRITE_APPLY_TIMEOUT_MS;
    private static final String PAUSE_BUDGET = RouterConfigs.WRITE_PAUSE_BUDGET_MS;
    private static final String MIN_POSITION_WAIT = RouterConfigs.READ_MIN_POSITION_WAIT_MS;
    private static final String SHED_AFTER = RouterConfigs.WRITE_SHED_AFTER_MS;

    private final String acme = SharedRegions.tenant("acme");
    private final String doc = "/v1/tenants/" + acme + "/docs/user-1";
    private RouterHarness h = new RouterHarness();

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** A fresh server with short limits: {@code key=value} config overrides. */
    private void restartWith(String... keyValues) {
        restart(options(keyValues));
    }

    private void restart(RouterHarness.Options options) {
        h.close();
        h = new RouterHarness(options);
    }

    private static RouterHarness.Options options(String... keyValues) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        RouterHarness.Options options = new RouterHarness.Options();
        options.overrides = overrides;
        return options;
    }

    /**
     * A producer that keeps trying for 10 s whatever the write's apply timeout: on a loaded machine a record must not
     * miss its delivery within a short test timeout, or the test would see Kafka fail instead of the applier.
     */
    private static RouterHarness.Options patientProducer(RouterHarness.Options options) {
        options.producer = Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return options;
    }

    private int partition() {
        return WalPartitioner.partitionOf(acme, SharedRegions.WAL_PARTITIONS);
    }

    @Test
    void shouldAcceptPutThenServeTheDocumentWithItsPosition() {
        h.givenTenantHere(acme);

        HttpResponse<String> put = h.put(doc, "{\"name\":\"Ada\"}");

        assertEquals(201, put.statusCode(), put.body());
        // The position is where Kafka put the record: the tenant's WAL partition, the record's offset.
        List<SharedRegions.WalEntry> entries = SharedRegions.walEntries(acme);
        Position written = entries.get(entries.size() - 1).position();
        assertInstanceOf(WalRecord.Put.class, entries.get(entries.size() - 1).record());
        assertEquals(partition(), written.partition());
        assertEquals("{\"tenant\":\"" + acme + "\",\"key\":\"user-1\",\"position\":\"" + written
                + "\",\"epoch\":1,\"region\":\"us-east\"}", put.body());
        assertEquals(written.toString(), header(put, "X-Meridian-Position"));

        HttpResponse<String> get = h.get(doc);
        assertEquals(200, get.statusCode());
        assertEquals("{\"name\":\"Ada\"}", get.body());
        assertEquals(written.toString(), header(get, "X-Meridian-Position"));
        assertEquals("1", header(get, "X-Meridian-Epoch"));
        assertEquals("us-east", header(get, "X-Meridian-Region"));
        assertTrue(header(get, "Content-Type").startsWith("application/json"));
    }

    @Test
    void shouldWriteTheRecordWithPlacementEpochRegionAndIdempotencyKey() {
        h.place(placement(acme, "us-east", List.of("us-east"), 7, WriteState.ACTIVE));

        assertEquals(201, h.put(doc, "[1,2]", "Idempotency-Key", "req-42").statusCode());

        List<WalRecord.DataRecord> sent = sent(acme);
        assertEquals(1, sent.size(), sent.toString());
        WalRecord.Put put = (WalRecord.Put) sent.get(0);
        assertEquals(acme, put.tenant());
        assertEquals("user-1", put.key());
        assertEquals("[1,2]", put.value().toString());
        assertEquals(7, put.epoch());
        assertEquals("us-east", put.region());
        assertEquals("req-42", put.writeId());
        assertTrue(put.hlc() > 0);
    }

    @Test
    void shouldGiveEveryWriteWithoutIdempotencyKeyItsOwnId() {
        h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "1").statusCode());
        assertEquals(201, h.put(doc, "1").statusCode());
        List<WalRecord.DataRecord> sent = sent(acme);
        assertEquals(2, sent.size(), sent.toString());
        assertNotEquals(sent.get(0).writeId(), sent.get(1).writeId());
    }

    @Test
    void shouldDeleteWith200AndThenAnswerDocumentNotFound() {
        h.givenTenantHere(acme);
        Position put = Position.parse(json(h.put(doc, "1")).get("position").asText());

        HttpResponse<String> delete = h.delete(doc);

        assertEquals(200, delete.statusCode(), delete.body());
        Position deleted = Position.parse(json(delete).get("position").asText());
        assertEquals(put.partition(), deleted.partition());
        assertTrue(deleted.offset() > put.offset(), deleted + " after " + put);
        assertInstanceOf(WalRecord.Delete.class, sent(acme).get(1));
        assertError(h.get(doc), 404, "document_not_found");
    }

    @Test
    void shouldAcceptAnyJsonValueButNull() {
        h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "\"text\"").statusCode());
        assertEquals(201, h.put(doc, "42").statusCode());
        assertEquals(201, h.put(doc, "true").statusCode());

        assertError(h.put(doc, "null"), 400, "invalid_document");
        assertEquals("true", h.get(doc).body());
    }

    @Test
    void shouldRejectBadWriteInputWithoutWritingAnything() {
        h.givenTenantHere(acme);
        h.put(doc, "{\"v\":1}");
        int before = sent(acme).size();

        assertError(h.put("/v1/tenants/ACME!/docs/user-1", "1"), 400, "invalid_tenant");
        assertError(h.put("/v1/tenants/" + acme + "/docs/bad%20key", "1"), 400, "invalid_key");
        assertError(h.put(doc, "{\"v\":"), 400, "malformed_json");
        assertError(h.put(doc, ""), 400, "malformed_json");
        assertError(h.put(doc, "{\"v\":1} trailing"), 400, "malformed_json");
        assertError(h.put(doc, "\"" + "x".repeat(1100) + "\""), 413, "body_too_large");
        assertError(h.put(doc, "1", "Idempotency-Key", "x".repeat(129)), 400, "invalid_idempotency_key");
        String nobody = SharedRegions.tenant("nobody");
        assertError(h.put("/v1/tenants/" + nobody + "/docs/user-1", "1"), 404, "tenant_not_found");
        assertError(h.delete("/v1/tenants/" + acme + "/docs/bad%20key"), 400, "invalid_key");

        assertEquals(before, sent(acme).size());
        assertTrue(sent(nobody).isEmpty());
        assertEquals("{\"v\":1}", h.get(doc).body());
    }

    @Test
    void shouldRefuseANumberBeyondTheRangeOfADoubleInsteadOfStoringInfinity() {
        h.givenTenantHere(acme);

        for (String body : List.of("{\"x\":1e400}", "{\"x\":-1e400}", "[1.8e308]", "{\"x\":NaN}", "Infinity",
                "-Infinity")) {
            HttpResponse<String> response = h.put(doc, body);
            assertError(response, 400, "malformed_json");
        }
        assertTrue(message(h.put(doc, "{\"x\":1e400}")).contains("/x"));
        assertTrue(sent(acme).isEmpty(), "nothing produced");
        assertEquals(201, h.put(doc, "{\"x\":1.7e308,\"y\":-4.9e-324}").statusCode());
    }

    @Test
    void shouldRefuseADocumentNestedDeeperThanTheLimitWith400AtEveryDepth() {
        restartWith(RouterConfigs.HTTP_MAX_BODY_BYTES, "1000000");
        h.givenTenantHere(acme);

        for (int depth : new int[] {MAX_DEPTH + 1, 500, 1000, 1001, 5000, 100_000}) {
            HttpResponse<String> response = h.put(doc, "[".repeat(depth) + "]".repeat(depth));
            assertError(response, 400, "malformed_json");
            assertTrue(message(response).contains(Integer.toString(MAX_DEPTH)), response.body());
        }
        assertTrue(sent(acme).isEmpty(), "nothing produced");
        int depth = MAX_DEPTH;
        assertEquals(201, h.put(doc, "[".repeat(depth) + "]".repeat(depth)).statusCode());
    }

    @Test
    void shouldAnswer413WhenTheDocumentsWalRecordWouldExceedTheProducersMaxRequestSize() {
        restartWith("kafka.max.request.size", "1000");
        h.givenTenantHere(acme);

        HttpResponse<String> response = h.put(doc, "\"" + "x".repeat(1000) + "\"");

        assertError(response, 413, "document_too_large");
        assertEquals("", header(response, "Retry-After"));
        assertTrue(message(response).contains("max.request.size"), response.body());
        assertTrue(message(response).contains("1000"), response.body());
        assertTrue(sent(acme).isEmpty(), "nothing produced");
        assertEquals(201, h.put(doc, "\"" + "x".repeat(100) + "\"").statusCode());
    }

    @Test
    void shouldAnswer413WhenKafkaRefusesTheRecordAsTooLarge() {
        // The broker refuses: this router's WAL records go to a topic whose max.message.bytes no record fits.
        String small = SharedRegions.cluster().uniqueName("router-tests-small-wal");
        SharedRegions.cluster().createTopic(small, 1, Map.of("max.message.bytes", "100"));
        RouterHarness.Options options = options();
        options.producer = WalTopicRedirect.to(small);
        restart(options);
        h.givenTenantHere(acme);

        HttpResponse<String> response = h.put(doc, "1");

        assertError(response, 413, "document_too_large");
        assertEquals("", header(response, "Retry-After"));
        assertTrue(message(response).contains("too large"), response.body());
        assertTrue(sent(acme).isEmpty(), "nothing in the WAL");
    }

    @Test
    void shouldRefuseAChunkedBodyLargerThanTheLimit() {
        h.givenTenantHere(acme);
        byte[] big = ("\"" + "y".repeat(5000) + "\"").getBytes(StandardCharsets.UTF_8);
        // ofInputStream has no known length: the body is sent chunked, without Content-Length.
        HttpResponse<String> response = h.send(h.request(doc)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertError(response, 413, "body_too_large");
        assertTrue(sent(acme).isEmpty());
    }

    @Test
    void shouldRedirectAWriteToThePrimaryConfiguredUrlKeepingPathAndQuery() {
        h.place(placement(acme, "eu-west", List.of("us-east", "eu-west"), 3, WriteState.ACTIVE));

        HttpResponse<String> response = h.put(doc + "?trace=1&x=%2F", "{\"a\":1}");

        assertEquals(307, response.statusCode());
        assertEquals("https://eu-west.example.test/meridian/v1/tenants/" + acme + "/docs/user-1?trace=1&x=%2F",
                header(response, "Location"));
        assertEquals("redirect", code(response));
        assertEquals("eu-west", json(response).at("/error/region").asText());
        assertTrue(sent(acme).isEmpty());
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "not_primary")
                .counter().count());
    }

    @Test
    void shouldNeverTakeTheRedirectTargetFromTheHostHeader() throws Exception {
        h.place(placement(acme, "eu-west", List.of("eu-west"), 1, WriteState.ACTIVE));
        // java.net.http does not let a test set Host: speak HTTP/1.1 on a socket.
        try (Socket socket = new Socket("127.0.0.1", h.server.port())) {
            socket.setSoTimeout(10_000);
            String request = "DELETE " + doc + " HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 307"), answer);
            assertTrue(answer.contains("Location: https://eu-west.example.test/meridian" + doc + "\r\n"), answer);
            assertFalse(answer.contains("evil.example.com"), answer);
        }
    }

    @Test
    void shouldHoldAWriteWhilePausedAndProceedWhenWritesResume() {
        Placement paused = h.place(placement(acme, "us-east", List.of("us-east"), 4, WriteState.PAUSED));

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(doc).PUT(HttpRequest.BodyPublishers.ofString("1")).build());
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        h.place(paused.withWrites(WriteState.ACTIVE, 5));

        HttpResponse<String> response = pending.join();
        assertEquals(201, response.statusCode(), response.body());
        assertEquals(5, json(response).get("epoch").asLong());
        List<WalRecord.DataRecord> sent = sent(acme);
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(5, sent.get(0).epoch());
    }

    @Test
    void shouldRedirectAHeldWriteWhenThePrimaryMovesDuringThePause() {
        h.place(placement(acme, "us-east", List.of("us-east", "eu-west"), 4, WriteState.PAUSED));

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(doc).PUT(HttpRequest.BodyPublishers.ofString("1")).build());
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !pending.isDone());
        h.place(placement(acme, "eu-west", List.of("us-east", "eu-west"), 5, WriteState.ACTIVE));

        HttpResponse<String> response = pending.join();
        assertEquals(307, response.statusCode(), response.body());
        assertEquals(RouterHarness.URLS.get("eu-west") + doc, header(response, "Location"));
        assertTrue(sent(acme).isEmpty());
    }

    @Test
    void shouldAnswerWritesPausedWithRetryAfterWhenThePauseOutlastsTheBudget() {
        restartWith(PAUSE_BUDGET, "400");
        h.place(placement(acme, "us-east", List.of("us-east"), 4, WriteState.PAUSED));

        long start = System.nanoTime();
        HttpResponse<String> response = h.put(doc, "1");

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 350, "held for the pause budget");
        assertError(response, 503, "writes_paused");
        assertEquals("2", header(response, "Retry-After"));
        assertTrue(sent(acme).isEmpty());
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "paused").timer().count());
    }

    @Test
    void shouldAnswerPlacementChangedWithTheNewPrimaryWhenTheApplierRejectsAStaleEpoch() {
        h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "\"old\"").statusCode());
        // The applier reads a fence (epoch 2, primary eu-west) that the placement view does not show yet.
        SharedRegions.controllerLog().fenceOnly(
                placement(acme, "eu-west", List.of("us-east", "eu-west"), 2, WriteState.ACTIVE), "moved (test)");

        HttpResponse<String> response = h.put(doc, "\"new\"");

        assertError(response, 409, "placement_changed");
        assertEquals("eu-west", json(response).at("/error/primary").asText());
        assertEquals(2, json(response).at("/error/epoch").asLong());
        assertTrue(message(response).contains("eu-west") && message(response).contains("NOT applied"));
        assertEquals("\"old\"", h.get(doc).body());
        assertEquals(2, sent(acme).size(), "the refused write is in the WAL, decided against");
    }

    @Test
    void shouldRetryOnceOnTheNewEpochWhenTheWriteRacedAChangeThatKeepsThePrimaryHere() {
        Placement first = h.givenTenantHere(acme);
        // The applier reads a fence (epoch 2, us-east still primary, as when a sync ends) the view does not show yet.
        Placement next = first.withWrites(WriteState.ACTIVE, 2);
        SharedRegions.controllerLog().fenceOnly(next, "new epoch, same primary (test)");

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(doc).PUT(HttpRequest.BodyPublishers.ofString("\"v\"")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> sent(acme).size() == 1);
        SharedRegions.controllerLog().placementOnly(next);

        HttpResponse<String> response = pending.join();
        assertEquals(201, response.statusCode(), response.body());
        assertEquals(2, json(response).get("epoch").asLong());
        List<WalRecord.DataRecord> sent = sent(acme);
        assertEquals(List.of(1L, 2L), sent.stream().map(WalRecord.DataRecord::epoch).toList(), sent.toString());
        assertEquals(sent.get(0).writeId(), sent.get(1).writeId(), "the same write, tried again");
        assertEquals("\"v\"", h.get(doc).body());
    }

    @Test
    void shouldRetryOnceOnTheNewPlacementWhenTheWriteRacedAPause() {
        Placement active = h.givenTenantHere(acme);
        Placement paused = active.withWrites(WriteState.PAUSED, 2);
        // The applier sees the pause; the view does not yet.
        SharedRegions.controllerLog().fenceOnly(paused, "paused (test)");

        CompletableFuture<HttpResponse<String>> pending = h.sendAsync(
                h.request(doc).PUT(HttpRequest.BodyPublishers.ofString("\"v\"")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> sent(acme).size() == 1);
        Placement resumed = paused.withWrites(WriteState.ACTIVE, 3);
        SharedRegions.controllerLog().placementOnly(paused);
        h.place(resumed);

        HttpResponse<String> response = pending.join();
        assertEquals(201, response.statusCode(), response.body());
        assertEquals(3, json(response).get("epoch").asLong());
        List<WalRecord.DataRecord> sent = sent(acme);
        assertEquals(2, sent.size(), sent.toString());
        assertEquals(1, sent.get(0).epoch());
        assertEquals(3, sent.get(1).epoch());
        assertEquals("\"v\"", h.get(doc).body());
    }

    @Test
    void shouldAnswerWritesPausedWhenARejectedPausedWriteSeesNoChangeWithinTheBudget() {
        restartWith(PAUSE_BUDGET, "300");
        Placement active = h.givenTenantHere(acme);
        SharedRegions.controllerLog().fenceOnly(active.withWrites(WriteState.PAUSED, 2), "paused (test)");

        assertError(h.put(doc, "1"), 503, "writes_paused");
        assertEquals(1, sent(acme).size());
    }

    @Test
    void shouldAnswerApplyTimeoutAndForgetTheWriteSoThatTheClientCanRetry() {
        restart(patientProducer(options(APPLY_TIMEOUT, "1000")));
        h.givenTenantHere(acme);
        h.pauseApplier();

        HttpResponse<String> response = h.put(doc, "1", "Idempotency-Key", "k-1");

        assertError(response, 503, "apply_timeout");
        assertEquals("2", header(response, "Retry-After"));
        assertTrue(message(response).contains("may still be applied"), message(response));
        assertTrue(message(response).contains("Idempotency-Key"), message(response));
        await().atMost(Duration.ofSeconds(10)).until(() -> sent(acme).size() == 1);
        Position first = SharedRegions.walEntries(acme).stream().filter(e -> e.record() instanceof WalRecord.Put)
                .findFirst().orElseThrow().position();
        h.resumeApplier();
        // The retry duplicates the first write, which the applier accepted meanwhile: answered with its position.
        HttpResponse<String> retry = h.put(doc, "1", "Idempotency-Key", "k-1");
        assertEquals(201, retry.statusCode(), retry.body());
        assertEquals(first.toString(), header(retry, "X-Meridian-Position"));
        // The retry's own entry is dropped when its apply completes, which may follow its answer by a moment; the
        // timed-out write's entry must be gone too, or this never reaches 0.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(0, h.tracker.inFlight(), "the timed-out write is forgotten"));
    }

    @Test
    void shouldAcceptConcurrentWritesOfTwoTenantsSharingAnIdempotencyKeyEachOnItsOwnRecord() {
        String ta = SharedRegions.tenant("ta");
        String tb = SharedRegions.tenant("tb");
        h.givenTenantHere(ta);
        h.givenTenantHere(tb);
        for (int round = 0; round < 10; round++) {
            String key = "shared-" + round;
            CompletableFuture<HttpResponse<String>> a = h.sendAsync(h.request("/v1/tenants/" + ta + "/docs/k")
                    .header("Idempotency-Key", key).PUT(HttpRequest.BodyPublishers.ofString("{\"t\":\"a\"}")).build());
            CompletableFuture<HttpResponse<String>> b = h.sendAsync(h.request("/v1/tenants/" + tb + "/docs/k")
                    .header("Idempotency-Key", key).PUT(HttpRequest.BodyPublishers.ofString("{\"t\":\"b\"}")).build());

            HttpResponse<String> ra = a.join();
            HttpResponse<String> rb = b.join();
            assertEquals(201, ra.statusCode(), ra.body());
            assertEquals(201, rb.statusCode(), rb.body());
            assertEquals(ta, json(ra).get("tenant").asText());
            assertEquals(tb, json(rb).get("tenant").asText());
            assertNotEquals(header(ra, "X-Meridian-Position"), header(rb, "X-Meridian-Position"),
                    "each answer names its own record");
        }
        assertEquals(10, sent(ta).size());
        assertEquals(10, sent(tb).size());
    }

    @Test
    void shouldAnswerKafkaUnavailableWhenTheSendFails() {
        // This router's producer reaches no broker (a closed port): its send times out waiting for metadata.
        RouterHarness.Options options = options();
        options.producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + RouterHarness.freePort(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        restart(options);
        h.givenTenantHere(acme);

        HttpResponse<String> response = h.put(doc, "1");

        assertError(response, 503, "kafka_unavailable");
        assertEquals("5", header(response, "Retry-After"));
        assertTrue(sent(acme).isEmpty());
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "kafka_unavailable")
                .timer().count());
    }

    @Test
    void shouldAnswerTenantNotFoundWhenTheApplierHasNoFenceForTheTenant() {
        // The placement view shows the tenant; the WAL holds no fence of it, so the applier knows no such tenant.
        Placement p = placement(acme, "us-east", List.of("us-east"), 1, WriteState.ACTIVE);
        SharedRegions.controllerLog().placementOnly(p);
        SharedRegions.awaitVisible("us-east", p);

        assertError(h.put(doc, "2"), 404, "tenant_not_found");
        assertEquals(1, sent(acme).size(), "produced, then refused by the applier");
    }

    @Test
    void shouldRefuseAWriteAtOnceWhileTheApplierIsBehindOnItsPartitionAndWriteNothing() {
        restart(patientProducer(options(SHED_AFTER, "300")));
        h.givenTenantHere(acme);
        h.pauseApplier();
        CompletableFuture<HttpResponse<String>> waiting = h.sendAsync(h.request(doc)
                .PUT(HttpRequest.BodyPublishers.ofString("1")).build());
        // Kafka acknowledged it, and it has waited longer than write.shed.after.ms for the paused applier.
        await().atMost(Duration.ofSeconds(20)).until(() -> h.tracker.applierDelay(partition()).toMillis() > 300);

        HttpResponse<String> refused = h.put("/v1/tenants/" + acme + "/docs/other", "2");

        assertError(refused, 503, "applier_behind");
        assertTrue(header(refused, "Retry-After").matches("[1-9][0-9]*"), header(refused, "Retry-After"));
        assertTrue(message(refused).contains("nothing was written"), message(refused));
        assertEquals(partition(), json(refused).get("error").get("partition").asInt(), refused.body());
        assertEquals(1, sent(acme).size(), "only the waiting write reached the WAL");
        assertTrue(h.registry.get(RouterMetrics.APPLIER_DELAY).gauge().value() > 0.3);
        assertEquals(1, h.registry.get(RouterMetrics.WRITES).tag(RouterMetrics.TAG_OUTCOME, "applier_behind")
                .timer().count());

        h.resumeApplier();
        assertEquals(201, waiting.join().statusCode(), "the write let through before is applied once it is read");
        assertEquals(201, h.put("/v1/tenants/" + acme + "/docs/other", "2").statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> h.registry.get(RouterMetrics.APPLIER_DELAY).gauge().value()
                == 0.0);
    }

    @Test
    void shouldRecordWriteOutcomesCacheLookUpsAndRequests() {
        restart(patientProducer(options(APPLY_TIMEOUT, "1000")));
        h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "1").statusCode());
        h.pauseApplier();
        assertEquals(503, h.put(doc, "2").statusCode());
        h.resumeApplier();

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
        h.place(placement(acme, "eu-west", List.of("eu-west", "ap-south"), 1, WriteState.ACTIVE));

        HttpResponse<String> response = h.get(doc + "?q=1");

        assertEquals(307, response.statusCode());
        assertEquals(RouterHarness.URLS.get("eu-west") + doc + "?q=1", header(response, "Location"));
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "not_replica")
                .counter().count());
    }

    @Test
    void shouldFollowThePreferredRegionHeader() {
        h.place(placement(acme, "us-east", List.of("us-east", "ap-south"), 1, WriteState.ACTIVE));
        assertEquals(201, h.put(doc, "1").statusCode());

        HttpResponse<String> there = h.get(doc, "X-Meridian-Preferred-Region", "ap-south");
        assertEquals(307, there.statusCode());
        assertEquals(RouterHarness.URLS.get("ap-south") + doc, header(there, "Location"));
        assertEquals(1.0, h.registry.get(RouterMetrics.REDIRECTS).tag(RouterMetrics.TAG_REASON, "preferred_region")
                .counter().count());

        assertEquals(200, h.get(doc, "X-Meridian-Preferred-Region", "us-east").statusCode());
        assertError(h.get(doc, "X-Meridian-Preferred-Region", "eu-west"), 400, "not_a_replica");
        assertError(h.get(doc, "X-Meridian-Preferred-Region", "mars-1"), 400, "invalid_region");
        assertError(h.get(doc, "X-Meridian-Preferred-Region", "NOT_A_REGION"), 400, "invalid_region");
    }

    @Test
    void shouldWaitForTheMinimumPositionBeforeReading() {
        h.givenTenantHere(acme);
        String applied = header(h.put(doc, "1"), "X-Meridian-Position");

        assertEquals(200, h.get(doc, "X-Meridian-Min-Position", applied).statusCode());

        // A second write is in the WAL but not applied yet: a read that needs it waits until the applier passes it.
        h.pauseApplier();
        CompletableFuture<HttpResponse<String>> write = h.sendAsync(
                h.request(doc).PUT(HttpRequest.BodyPublishers.ofString("2")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> sent(acme).size() == 2);
        List<SharedRegions.WalEntry> entries = SharedRegions.walEntries(acme);
        Position second = entries.get(entries.size() - 1).position();
        CompletableFuture<HttpResponse<String>> waiting = h.sendAsync(
                h.request(doc).header("X-Meridian-Min-Position", second.toString()).GET().build());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        h.resumeApplier();

        HttpResponse<String> response = waiting.join();
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("2", response.body());
        assertEquals(second.toString(), header(response, "X-Meridian-Position"));
        assertEquals(201, write.join().statusCode());
    }

    @Test
    void shouldAnswerPositionNotReachedWhenTheRegionLagsBehindTheMinimumPosition() {
        restartWith(MIN_POSITION_WAIT, "200");
        h.givenTenantHere(acme);
        Position written = Position.parse(header(h.put(doc, "1"), "X-Meridian-Position"));

        HttpResponse<String> response = h.get(doc, "X-Meridian-Min-Position",
                new Position(written.partition(), written.offset() + 1_000_000).toString());

        assertError(response, 503, "position_not_reached");
        assertEquals("2", header(response, "Retry-After"));
    }

    @Test
    void shouldRejectAnInvalidMinimumPosition() {
        h.givenTenantHere(acme);
        assertError(h.get(doc, "X-Meridian-Min-Position", "abc"), 400, "invalid_position");
        assertError(h.get(doc, "X-Meridian-Min-Position", "-1:5"), 400, "invalid_position");
        assertError(h.get(doc, "X-Meridian-Min-Position", "12:5"), 400, "invalid_position");  // the WAL has 12
    }

    @Test
    void shouldAnswerNotFoundForUnknownTenantsAndDocuments() {
        assertError(h.get(doc), 404, "tenant_not_found");
        h.givenTenantHere(acme);
        assertError(h.get(doc), 404, "document_not_found");
        assertError(h.get("/v1/tenants/Bad_Tenant/docs/k"), 400, "invalid_tenant");
    }

    @Test
    void shouldAnswerNotReadyWhileTheRegionStateIsNotQueryable() {
        // A node whose applier has not started yet: its stores are not queryable.
        try (RegionStreams starting = SharedRegions.unstarted("us-east")) {
            RouterHarness.Options options = options();
            options.view = view -> RegionView.of(starting);
            restart(options);
            HttpResponse<String> response = h.get(doc);
            assertError(response, 503, "not_ready");
            assertEquals("2", header(response, "Retry-After"));
            assertError(h.put(doc, "1"), 503, "not_ready");
            assertTrue(sent(acme).isEmpty());
        }
    }

    @Test
    void shouldAnswerInternalWithoutAStackTraceOnAnUnexpectedFailure() {
        h.givenTenantHere(acme);
        // A defect in the view (no Kafka failure looks like this: they are NotReadyException).
        RouterHarness.Options options = options();
        options.view = view -> new FailingView(view,
                new IllegalStateException("boom at io.meridian.Secret.method(Secret.java:1)"));
        restart(options);

        HttpResponse<String> response = h.get(doc);

        assertError(response, 500, "internal");
        assertFalse(response.body().contains("boom") || response.body().contains("Secret.java"), response.body());
    }

    @Test
    void shouldSeeANewTenantAndAChangedPlacementAtOnce() {
        assertError(h.put(doc, "1"), 404, "tenant_not_found");
        Placement p = h.givenTenantHere(acme);
        assertEquals(201, h.put(doc, "1").statusCode());
        h.place(p.withPrimary("eu-west", 2));
        assertEquals(307, h.put(doc, "1").statusCode());
    }

    // ---- the rest of the surface

    @Test
    void shouldAnswerNotFoundForUnknownRoutesAndMethodNotAllowedForWrongMethods() {
        assertError(h.get("/v2/whatever"), 404, "not_found");
        assertError(h.send(h.request(doc).method("PATCH", HttpRequest.BodyPublishers.ofString("1")).build()),
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
        try (RegionStreams starting = SharedRegions.unstarted("us-east")) {
            RouterHarness.Options options = options();
            options.view = view -> RegionView.of(starting);
            try (RouterHarness notStarted = new RouterHarness(options)) {
                HttpResponse<String> notReady = notStarted.get("/health/ready");
                assertEquals(503, notReady.statusCode());
                assertEquals("starting", json(notReady).get("status").asText());
                assertEquals(200, notStarted.get("/health/live").statusCode());
            }
        }

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
        h.place(placement(acme, "eu-west", List.of("eu-west"), 1, WriteState.ACTIVE));
        assertEquals(200, h.get("/health/live").statusCode());
        assertEquals(200, h.admin("GET", "/admin/tenants/" + acme + "/placement", null).statusCode());
    }

    @Test
    void shouldFailASecondStartAndCloseTwiceQuietly() {
        IllegalStateException e = assertThrows(IllegalStateException.class, h.server::start);
        assertTrue(e.getMessage().contains("already"));
        assertTrue(h.server.port() > 0);
        h.server.close();
        h.server.close();
    }

    /** A region view with a defect: every look-up throws {@code failure}. */
    private record FailingView(RegionView real, RuntimeException failure) implements RegionView {
        @Override
        public Optional<Placement> placement(String tenant) {
            throw failure;
        }

        @Override
        public List<Placement> placements() {
            throw failure;
        }

        @Override
        public Optional<StoredDocument> document(String tenant, String key) {
            throw failure;
        }

        @Override
        public boolean isReady() {
            return real.isReady();
        }

        @Override
        public void addPlacementListener(Consumer<Placement> listener) {
            real.addPlacementListener(listener);
        }
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
