package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.meridian.client.ErrorBody;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A small client of one Meridian node's HTTP API ({@code router/API.md}). Sends the admin bearer token when it has
 * one, JSON in and out. Redirects are followed for {@code GET} only: a write is never replayed somewhere else behind
 * the operator's back. Answers {@code >= 300} (after redirects) become a {@link CliException}: 4xx exit
 * {@link ExitCode#SERVER_ERROR}, 5xx and unreachable exit {@link ExitCode#UNAVAILABLE}. Thread-safe.
 */
public final class HttpApi {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_REDIRECTS = 3;
    /** Longer than any server-side wait (placement visibility 10 s, a forwarded failover). */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String baseUrl;
    private final Optional<String> token;
    private final Duration requestTimeout;
    private final HttpClient following;
    private final HttpClient notFollowing;

    public HttpApi(String baseUrl, Optional<String> token, Duration requestTimeout) {
        this.baseUrl = stripSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.token = Objects.requireNonNull(token, "token").filter(t -> !t.isBlank());
        this.requestTimeout = requestTimeout;
        URI base;
        try {
            base = URI.create(this.baseUrl);
        } catch (IllegalArgumentException e) {
            base = URI.create("");  // no scheme, no host: refused below
        }
        if (base.getScheme() == null || base.getHost() == null
                || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new CliException(ExitCode.USAGE, "invalid_url", "'" + baseUrl
                    + "' is not a node's base URL; use e.g. http://127.0.0.1:8081");
        }
        this.following = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.notFollowing = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A node's answer: its status and its body as JSON ({@code null} JSON when the body is empty). */
    public record Response(int status, JsonNode body) {
    }

    public String baseUrl() {
        return baseUrl;
    }

    /**
     * {@code GET path} and every further page ({@code ?cursor=<next>}) while the answer names a {@code next}: one
     * answer whose {@code field} holds every page's items (a node that does not page answers one page).
     */
    public Response getAllPages(String path, String field) {
        Response first = get(path);
        if (!first.body().isObject() || !first.body().hasNonNull("next")) {
            return first;
        }
        com.fasterxml.jackson.databind.node.ObjectNode all = ((com.fasterxml.jackson.databind.node.ObjectNode) first
                .body()).deepCopy();
        com.fasterxml.jackson.databind.node.ArrayNode items = all.withArray(field);
        String next = all.get("next").asText();
        all.remove("next");
        while (next != null) {
            JsonNode page = get(path + (path.contains("?") ? "&" : "?") + "cursor=" + segment(next)).body();
            page.path(field).forEach(items::add);
            String after = page.hasNonNull("next") ? page.get("next").asText() : null;
            next = after == null || after.equals(next) ? null : after;  // a cursor that does not move ends the list
        }
        return new Response(first.status(), all);
    }

    /**
     * {@code GET path} and every further page, like {@link #getAllPages}, handing each item of {@code field} to
     * {@code item} as its page arrives, so only one page is held at a time.
     */
    public void forEachPage(String path, String field, java.util.function.Consumer<JsonNode> item) {
        String cursor = null;
        while (true) {
            JsonNode page = get(cursor == null ? path : path + (path.contains("?") ? "&" : "?") + "cursor="
                    + segment(cursor)).body();
            page.path(field).forEach(item);
            String next = page.hasNonNull("next") ? page.get("next").asText() : null;
            if (next == null || next.equals(cursor)) {  // a cursor that does not move ends the list
                return;
            }
            cursor = next;
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    /**
     * A data write carrying an {@code Idempotency-Key}, which makes it safe to follow the node's {@code 307} to the
     * tenant's primary region (at most {@value #MAX_REDIRECTS} hops), as the client library does: the write is applied
     * at most once wherever it lands. {@code body} null: a {@code DELETE}.
     */
    public Response idempotentWrite(String method, String path, JsonNode body, String idempotencyKey) {
        String target = baseUrl + path;
        for (int hop = 0; ; hop++) {
            try {
                return send(method, URI.create(target), body, Map.of("Idempotency-Key", idempotencyKey));
            } catch (Redirect redirect) {
                if (hop >= MAX_REDIRECTS) {
                    throw new CliException(ExitCode.SERVER_ERROR, "too_many_redirects", method + " " + path
                            + " was redirected more than " + MAX_REDIRECTS + " times; last to " + redirect.location);
                }
                target = URI.create(target).resolve(redirect.location).toString();
            }
        }
    }

    /** One path segment, percent-encoded (tenant ids and migration ids go into paths). */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Response send(String method, String path, Object body) {
        try {
            return send(method, URI.create(baseUrl + path), body, Map.of());
        } catch (Redirect redirect) {
            throw redirect.failure;
        }
    }

    /** A 307/308 answer to a write: {@link #idempotentWrite} follows it, everything else reports it. */
    private static final class Redirect extends RuntimeException {
        final String location;
        final CliException failure;

        Redirect(String location, CliException failure) {
            super(failure.getMessage(), null, false, false);
            this.location = location;
            this.failure = failure;
        }
    }

    private Response send(String method, URI uri, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Accept", "application/json");
        headers.forEach(request::header);
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        }
        HttpResponse<byte[]> response;
        try {
            HttpClient client = method.equals("GET") ? following : notFollowing;
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(method, uri, "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "timeout", method + " " + uri + " got no answer within "
                    + requestTimeout.toSeconds() + " s; the node may still complete the request: check before"
                    + " retrying", e);
        } catch (ConnectException e) {
            throw unreachable(method, uri, e.getMessage() == null ? "connection refused" : e.getMessage(), e);
        } catch (IOException e) {
            throw unreachable(method, uri, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted", method + " " + uri + " was interrupted", e);
        }
        JsonNode json = parse(response.body());
        if ((response.statusCode() == 307 || response.statusCode() == 308)
                && response.headers().firstValue("Location").isPresent()) {
            throw new Redirect(response.headers().firstValue("Location").get(), error(response));
        }
        if (response.statusCode() >= 300) {
            throw error(response);
        }
        return new Response(response.statusCode(), json);
    }

    private static CliException unreachable(String method, URI uri, String why, Exception cause) {
        return new CliException(ExitCode.UNAVAILABLE, "unreachable", "cannot reach " + uri.getScheme() + "://"
                + uri.getAuthority() + " (" + method + " " + uri.getPath() + "): " + why
                + "; is the node running? (--url or MERIDIAN_URL)", cause);
    }

    private static CliException error(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        int exit = status >= 500 ? ExitCode.UNAVAILABLE : ExitCode.SERVER_ERROR;
        Optional<ErrorBody> error = ErrorBody.parse(response.body());  // the wire type the client library reads
        String code;
        String message;
        if (error.isPresent()) {
            code = error.get().code();
            message = error.get().message().isEmpty() ? "(no message)" : error.get().message();
        } else {
            code = "http_" + status;
            String text = new String(response.body(), StandardCharsets.UTF_8).strip();
            message = "the node answered " + status + (text.isEmpty() ? "" : ": "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
        }
        if (status >= 300 && status < 400) {
            message += response.headers().firstValue("Location").map(l -> " (Location: " + l + ")").orElse("");
        }
        String retry = status >= 500 ? response.headers().firstValue("Retry-After")
                .map(r -> " (retry after " + r + " s)").orElse("") : "";
        return new CliException(exit, code, message + retry);
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return Json.readTree(body);
        } catch (IllegalArgumentException e) {
            // Not JSON (a proxy's HTML page, /metrics): keep it as text so it is still shown.
            return JsonNodeFactory.instance.textNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static String stripSlash(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
