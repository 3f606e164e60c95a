package io.meridian.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import io.meridian.router.internal.HttpEndpoints;
import io.meridian.router.internal.OpenApiDocument;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document (router's openapi.yaml) lists exactly the routes the router registers, method by method, and
 * the node serves it: like {@link ApiDocumentationTest} does for API.md.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private static Set<String> registered() {
        try (StubRouter router = StubRouter.built(Map.of())) {
            Set<String> routes = new TreeSet<>();
            for (HttpEndpoints.Route route : router.server.routes()) {
                routes.add(route.method().toUpperCase(Locale.ROOT) + " " + route.path());
            }
            return routes;
        }
    }

    private static Set<String> documented(JsonNode document) {
        Set<String> routes = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                routes.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return routes;
    }

    @Test
    void shouldDocumentEveryRegisteredRouteAndNoOther() {
        Set<String> registered = registered();
        Set<String> documented = documented(OpenApiDocument.load().tree());
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(registered);
        assertTrue(undocumented.isEmpty(), "routes missing from openapi.yaml: " + undocumented);
        assertTrue(missing.isEmpty(), "openapi.yaml documents routes the router does not have: " + missing);
        assertTrue(registered.size() > 30, "too few routes found: " + registered);
    }

    @Test
    void shouldBeAnOpenApi3DocumentWhoseEveryOperationHasAnswers() {
        JsonNode document = OpenApiDocument.load().tree();
        assertTrue(document.path("openapi").asText().startsWith("3."), "not OpenAPI 3: " + document.path("openapi"));
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                assertTrue(op.getValue().path("responses").size() > 0, op.getKey() + " " + path.getKey()
                        + " documents no response");
                op.getValue().path("responses").fields().forEachRemaining(answer -> {
                    if (answer.getKey().equals("503") || answer.getKey().equals("429")) {
                        assertTrue(hasRetryAfter(document, answer.getValue()), op.getKey() + " " + path.getKey()
                                + ": its " + answer.getKey() + " must document Retry-After");
                    }
                });
            }
        }));
    }

    private static boolean hasRetryAfter(JsonNode document, JsonNode response) {
        JsonNode resolved = response;
        if (response.has("$ref")) {
            String name = response.get("$ref").asText().substring("#/components/responses/".length());
            resolved = document.path("components").path("responses").path(name);
        }
        return resolved.path("headers").has("Retry-After");
    }

    @Test
    void shouldServeTheDocumentAsJsonAndYamlWithoutAToken() {
        try (StubRouter router = StubRouter.started(Map.of())) {
            HttpResponse<String> json = router.send("GET", OpenApiDocument.JSON_PATH, null, null);
            assertEquals(200, json.statusCode());
            assertEquals(OpenApiDocument.load().tree(), Json.readTree(json.body().getBytes()));
            HttpResponse<String> yaml = router.send("GET", OpenApiDocument.YAML_PATH, null, null);
            assertEquals(200, yaml.statusCode());
            assertTrue(yaml.body().startsWith("openapi: 3"), yaml.body());
        }
    }
}
