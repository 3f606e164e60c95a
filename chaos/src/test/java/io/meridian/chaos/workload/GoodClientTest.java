package io.meridian.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the workload's client records of each operation, against stub nodes over real HTTP. */
class GoodClientTest {

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
    void shouldLeaveOneNodeRegionsAndTheirRandomDrawsAsTheyWere() {
        GoodClient client = client(1);
        Random random = new Random(7);
        Random same = new Random(7);
        assertEquals("http://127.0.0.1:30001", client.nodeUrl("eu-west", random));
        assertEquals(same.nextInt(), random.nextInt(), "a one-node region draws nothing");
    }

    @Test
    void shouldRecordEveryAttemptOfAWriteAndEveryErrorAnswer() throws Exception {
        AtomicInteger puts = new AtomicInteger();
        List<String> keys = new CopyOnWriteArrayList<>();
        try (Stub primary = new Stub(exchange -> {
                 keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                 return puts.incrementAndGet() == 1
                         ? reply(exchange, 503, "{\"error\":{\"code\":\"writes_paused\"}}", "Retry-After", "0")
                         : reply(exchange, 201, "{\"position\":\"3:7\",\"region\":\"eu-west\",\"epoch\":2}");
             });
             Stub home = new Stub(exchange -> reply(exchange, 307, "", "Location",
                     primary.url() + exchange.getRequestURI().getRawPath()))) {
            GoodClient client = new GoodClient(new HttpApi("token", Duration.ofSeconds(2)),
                    regions(home.url(), primary.url()), Duration.ofSeconds(10));

            GoodClient.Result result = client.write("acme", "k", "{\"id\":\"w-1\"}", "w-1");

            assertEquals(201, result.status());
            assertEquals("3:7", result.position());
            assertEquals("eu-west", result.region());
            assertEquals(3, result.attempts(), "the 307, the 503 and the 201");
            assertFalse(result.gaveUp());
            assertEquals(List.of("w-1", "w-1"), keys, "the retry carried the same Idempotency-Key");
            assertEquals(Map.of("503 writes_paused", 1L), client.errorsByCode());
        }
    }

    @Test
    void shouldReadWhatTheRegionHoldsWithoutFollowingItsRedirect() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (Stub primary = new Stub(exchange -> reply(exchange, 200, "{\"id\":\"w-1\"}", "X-Meridian-Position", "3:7")
                 );
             Stub other = new Stub(exchange -> exchange.getRequestURI().getPath().endsWith("/k")
                     ? reply(exchange, 200, "{\"id\":\"w-1\"}", "X-Meridian-Position", "3:7")
                     : reply(exchange, 307, "", "Location", primary.url() + exchange.getRequestURI().getRawPath()))) {
            Map<String, List<String>> urls = new LinkedHashMap<>();
            urls.put("us-east", List.of(primary.url()));
            urls.put("eu-west", List.of("http://127.0.0.1:" + closed, other.url()));
            GoodClient client = new GoodClient(new HttpApi("token", Duration.ofSeconds(2)), urls,
                    Duration.ofSeconds(5));

            GoodClient.Result held = client.read("acme", "k", "eu-west", "3:7");
            GoodClient.Result notHeld = client.read("acme", "gone", "eu-west", "");

            assertEquals(200, held.status());
            assertEquals("w-1", held.value());
            assertEquals("3:7", held.position());
            assertEquals("eu-west", held.region());
            assertTrue(held.attempts() <= 2, "at most the closed node and its sibling: " + held);
            assertEquals(307, notHeld.status(), "the region's answer, not the primary's");
            assertEquals("", notHeld.value());
            assertEquals(0, primary.requests.get());
        }
    }

    private static Map<String, List<String>> regions(String usEast, String euWest) {
        Map<String, List<String>> urls = new LinkedHashMap<>();
        urls.put("us-east", List.of(usEast));
        urls.put("eu-west", List.of(euWest));
        return urls;
    }

    private static Void reply(HttpExchange exchange, int status, String body, String... headers) throws IOException {
        for (int i = 0; i < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return null;
    }

    private interface Handler {
        Void handle(HttpExchange exchange) throws IOException;
    }

    /** A node that answers as {@code handler} says, counting requests. */
    private static final class Stub implements AutoCloseable {
        final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();

        Stub(Handler handler) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                handler.handle(exchange);
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
