package io.meridian.client;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for one Meridian node over real HTTP (the JDK's server): answers every request with what
 * {@code answers} says, and records the requests it got. For unit tests of the client's handling of answers; the
 * integration test runs the client against real nodes.
 */
final class StubNode implements AutoCloseable {
    /** One request as the node saw it. */
    record Request(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** One answer: status, headers (name, value pairs), JSON body. */
    record Reply(int status, String body, String... headers) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Reply> answers;

    StubNode(Function<Request, Reply> answers) throws IOException {
        this.answers = answers;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Reply reply = this.answers.apply(request);
            for (int i = 0; i < reply.headers().length; i += 2) {
                exchange.getResponseHeaders().add(reply.headers()[i], reply.headers()[i + 1]);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return requests;
    }

    void answer(Function<Request, Reply> answers) {
        this.answers = answers;
    }

    static Reply written(String tenant, String key, String position, int status) {
        return new Reply(status, "{\"tenant\":\"" + tenant + "\",\"key\":\"" + key + "\",\"position\":\"" + position
                + "\",\"epoch\":1,\"region\":\"us-east\"}", "X-Meridian-Position", position);
    }

    static Reply error(int status, String code, String details, String... headers) {
        return new Reply(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"stub says " + code + "\""
                + (details.isEmpty() ? "" : "," + details) + "}}", headers);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
