package io.meridian.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;

/** HTTP as the tests against {@link LocalDeployment} use it: redirects are answers to check, never followed. */
final class LocalHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    private LocalHttp() {
    }

    /** {@code headers} are name, value pairs; a body is sent as JSON. */
    static HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The first of {@code count} consecutive free ports, below Linux's ephemeral range (32768 and up): a port the kernel
     * hands out to outgoing connections (a broker's, a client's) could be taken between this probe and the node's bind.
     */
    static int freePortRange(int count) throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + random.nextInt(12_000 - count);
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port)) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
