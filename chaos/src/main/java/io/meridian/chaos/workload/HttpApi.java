package io.meridian.chaos.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP exchange with a node, never throwing: a connection refused or a timed-out request is an {@link Answer}
 * with status -1 and code {@code io_error}, so the workload records it like any other outcome. Redirects are not
 * followed here. For admin requests (the operator, placements, settling, faults): the document API goes through
 * {@link GoodClient}, Meridian's Java client. Thread-safe.
 */
public final class HttpApi {
    public static final int IO_ERROR = -1;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String adminToken;
    private final Duration requestTimeout;

    public HttpApi(String adminToken, Duration requestTimeout) {
        this.adminToken = adminToken;
        this.requestTimeout = requestTimeout;
    }

    /** How long one request waits for its answer. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** The answer: status, body as JSON (missing node when not JSON), and the headers we use. */
    public record Answer(int status, JsonNode json, String position, String region, String location,
                         long retryAfterSeconds, String ioError) {
        public String code() {
            if (status == IO_ERROR) {
                return "io_error";
            }
            String code = json.path("error").path("code").asText("");
            return code.isEmpty() ? Integer.toString(status) : code;
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Answer send(String method, String url, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(requestTimeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (url.contains("/admin/")) {
            request.header("Authorization", "Bearer " + adminToken);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), parse(response.body()),
                    header(response, "X-Meridian-Position").orElse(""),
                    header(response, "X-Meridian-Region").orElse(""),
                    header(response, "Location").orElse(""),
                    header(response, "Retry-After").map(HttpApi::seconds).orElse(0L), "");
        } catch (IOException e) {
            return new Answer(IO_ERROR, MissingNode.getInstance(), "", "", "", 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(IO_ERROR, MissingNode.getInstance(), "", "", "", 0, "interrupted");
        }
    }

    private static Optional<String> header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name);
    }

    private static long seconds(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return Json.readTree(body);
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }
}
