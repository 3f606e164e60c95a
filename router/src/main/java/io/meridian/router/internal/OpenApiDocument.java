package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.javalin.http.HandlerType;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The OpenAPI 3 document of the whole HTTP API ({@value #RESOURCE}, a resource of the router), served without a token
 * as {@code GET /openapi.yaml} and, converted, {@code GET /openapi.json}. {@code OpenApiDocumentTest} checks it against
 * the routes the router registers, both ways. Immutable once built.
 */
public final class OpenApiDocument {
    public static final String RESOURCE = "/io/meridian/router/openapi.yaml";
    public static final String JSON_PATH = "/openapi.json";
    public static final String YAML_PATH = "/openapi.yaml";
    static final String YAML_CONTENT_TYPE = "application/yaml";

    private final byte[] yaml;
    private final byte[] json;

    private OpenApiDocument(byte[] yaml) {
        this.yaml = yaml;
        this.json = Json.write(parse(yaml));
    }

    /** The document as the router's jar holds it. */
    public static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the router's jar");
            }
            return new OpenApiDocument(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The document as a tree (to check it). */
    public JsonNode tree() {
        return Json.readTree(json);
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, JSON_PATH, ctx -> CompletableFuture.completedFuture(
                new Reply(200, Map.of(), Reply.JSON, json)));
        endpoints.add(HandlerType.GET, YAML_PATH, ctx -> CompletableFuture.completedFuture(
                new Reply(200, Map.of(), YAML_CONTENT_TYPE, yaml)));
    }

    private static JsonNode parse(byte[] yaml) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document " + RESOURCE + " is not valid YAML", e);
        }
    }
}
