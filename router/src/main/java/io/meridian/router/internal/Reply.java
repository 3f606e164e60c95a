package io.meridian.router.internal;

import io.meridian.infra.serde.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP answer, built without touching the HTTP layer so that decisions are testable in plain Java: status,
 * headers, content type and body. Immutable.
 */
public record Reply(int status, Map<String, String> headers, String contentType, byte[] body) {
    public static final String JSON = "application/json";

    public Reply {
        headers = Map.copyOf(headers);
    }

    public static Reply json(int status, Object body) {
        return new Reply(status, Map.of(), JSON, Json.write(body));
    }

    public static Reply json(int status, Object body, Map<String, String> headers) {
        return new Reply(status, headers, JSON, Json.write(body));
    }

    public Reply withHeader(String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return new Reply(status, all, contentType, body);
    }

    public String header(String name) {
        return headers.get(name);
    }

    public String bodyText() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
}
