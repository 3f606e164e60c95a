package io.meridian.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for a Meridian node in tests: answers {@code METHOD path} with a canned status and body and records every
 * request. Unknown routes get the node's {@code 404 not_found}. Thread-safe; close it after the test.
 */
final class StubNode implements AutoCloseable {
    /** One request as the node saw it. */
    record Request(String method, String path, String authorization, String contentType, String body,
                   String idempotencyKey, String query) {
    }

    /** What the node answers. */
    record Answer(int status, String body, Map<String, String> headers) {
        Answer(int status, String body) {
            this(status, body, Map.of());
        }
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    /** {@code METHOD path-prefix} to a computed answer, for paths without a canned one. */
    private final Map<String, Function<Request, Answer>> computed = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    StubNode() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    StubNode answer(String method, String path, int status, String body) {
        return answer(method, path, status, body, Map.of());
    }

    StubNode answer(String method, String path, int status, String body, Map<String, String> headers) {
        answers.put(method + " " + path, new Answer(status, body, headers));
        return this;
    }

    /** Answers every {@code method} request whose path starts with {@code prefix} (and has no canned answer). */
    StubNode compute(String method, String prefix, Function<Request, Answer> answer) {
        computed.put(method + " " + prefix, answer);
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request onlyRequest() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + requests);
        }
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getRawPath();
        Request request = new Request(exchange.getRequestMethod(), path,
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Type"), body,
                exchange.getRequestHeaders().getFirst("Idempotency-Key"), exchange.getRequestURI().getRawQuery());
        requests.add(request);
        String key = exchange.getRequestMethod() + " " + path;
        Answer answer = answers.get(key);
        if (answer == null) {
            answer = computed.entrySet().stream().filter(e -> key.startsWith(e.getKey())).findFirst()
                    .map(e -> e.getValue().apply(request)).orElse(new Answer(404, "{\"error\":{\"code\":"
                            + "\"not_found\",\"message\":\"no such endpoint: " + path + "\"}}", Map.of()));
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
