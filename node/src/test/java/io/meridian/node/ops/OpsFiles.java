package io.meridian.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployment and observability files at the repository root (docker-compose.yaml, Dockerfile, prometheus/,
 * grafana/, docs/), found from the test's working directory, and readers for them. Stateless.
 */
final class OpsFiles {
    static final String COMPOSE = "docker-compose.yaml";
    static final String DOCKERFILE = "Dockerfile";
    static final String DOCKERIGNORE = ".dockerignore";
    static final String PROMETHEUS_CONFIG = "prometheus/prometheus.yml";
    static final String ALERT_RULES = "prometheus/rules/meridian-alerts.yml";
    static final String ALERT_TESTS = "prometheus/tests/meridian-alerts-test.yml";
    static final String GRAFANA_DATASOURCE = "grafana/provisioning/datasources/prometheus.yml";
    static final String GRAFANA_DASHBOARDS_PROVIDER = "grafana/provisioning/dashboards/meridian.yml";
    static final String DASHBOARD = "grafana/dashboards/meridian.json";
    static final String OPERATIONS_DOC = "docs/operations.md";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpsFiles() {
    }

    /** The repository root: the nearest directory up from the working directory with node/pom.xml in it. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isRegularFile(d.resolve("node/pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root (a directory with pom.xml and node/pom.xml) above " + dir);
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String text(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + relative, e);
        }
    }

    static JsonNode yaml(String relative) {
        try {
            return YAML.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + relative + " as YAML", e);
        }
    }

    static JsonNode json(String relative) {
        try {
            return JSON.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + relative + " as JSON", e);
        }
    }

    /** The fields of an object node, in order; empty for anything else. */
    static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The elements of an array node, in order; empty for anything else. */
    static List<JsonNode> elements(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(out::add);
        }
        return out;
    }
}
