package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code meridianctl tenants import FILE}: many placements from a file, sent as {@code PUT /admin/tenants} requests of
 * at most {@code batch} entries, with a progress line after each. The file holds the entries of that endpoint
 * ({@code {"tenant":"acme","primary":"us-east","replicas":["us-east","eu-west"]}}): a JSON array of them,
 * {@code {"tenants":[...]}}, or one per line (JSON lines; blank lines and lines starting with {@code #} are skipped).
 * Not thread-safe; one per run.
 */
final class TenantImport {
    static final String PATH = "/admin/tenants";
    /** The node's limit per request. */
    static final int MAX_BATCH = 10_000;

    /** What the import came to: counts and every refused entry (tenant, status, code, message). */
    record Outcome(int created, int changed, int unchanged, List<ObjectNode> failures, long millis) {
        int total() {
            return created + changed + unchanged + failures.size();
        }
    }

    private TenantImport() {
    }

    /**
     * The entries of {@code file}.
     *
     * @throws CliException (usage) when the file cannot be read or is not one of the accepted forms
     */
    static List<JsonNode> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("cannot read " + file + ": " + e.getMessage());
        }
        List<JsonNode> entries = new ArrayList<>();
        JsonNode whole = null;
        try {
            whole = Json.readTree(text.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // not one JSON value: JSON lines
        }
        if (whole != null && whole.isArray()) {
            whole.forEach(entries::add);
        } else if (whole != null && whole.path("tenants").isArray()) {
            whole.get("tenants").forEach(entries::add);
        } else if (whole != null && whole.isObject()) {
            entries.add(whole);
        } else {
            int number = 0;
            for (String line : text.split("\n", -1)) {
                number++;
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                try {
                    entries.add(Json.readTree(entry.getBytes(StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException e) {
                    throw usage(file + " line " + number + " is not JSON: " + e.getMessage()
                            + "; the file must be a JSON array of entries, {\"tenants\":[...]}, or one entry per line");
                }
            }
        }
        if (entries.isEmpty()) {
            throw usage(file + " holds no entries");
        }
        return entries;
    }

    /**
     * Sends {@code entries} in requests of {@code batch}; {@code progress} hears a line after each request.
     *
     * @throws CliException when a request is refused whole (the message says how many were imported before)
     */
    static Outcome send(HttpApi api, List<JsonNode> entries, int batch, Consumer<String> progress) {
        if (batch < 1 || batch > MAX_BATCH) {
            throw usage("--batch must be 1.." + MAX_BATCH + ", got " + batch);
        }
        long started = System.nanoTime();
        int created = 0;
        int changed = 0;
        int unchanged = 0;
        List<ObjectNode> failures = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += batch) {
            List<JsonNode> chunk = entries.subList(from, Math.min(entries.size(), from + batch));
            ArrayNode tenants = JsonNodeFactory.instance.arrayNode().addAll(chunk);
            HttpApi.Response response;
            try {
                response = api.put(PATH, Map.of("tenants", tenants));
            } catch (CliException e) {
                throw new CliException(e.exitCode(), e.code(), e.getMessage() + " (entries " + (from + 1) + "-"
                        + (from + chunk.size()) + " of " + entries.size() + "; the " + from
                        + " before were sent: importing the file again leaves those unchanged)", e);
            }
            JsonNode body = response.body();
            created += body.path("created").asInt();
            changed += body.path("changed").asInt();
            unchanged += body.path("unchanged").asInt();
            for (JsonNode result : body.path("results")) {
                if (result.has("error")) {
                    ObjectNode failure = JsonNodeFactory.instance.objectNode();
                    failure.put("tenant", result.path("tenant").asText());
                    failure.put("status", result.path("status").asInt());
                    failure.put("code", result.path("error").path("code").asText());
                    failure.put("message", result.path("error").path("message").asText());
                    failures.add(failure);
                }
            }
            int done = from + chunk.size();
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            progress.accept(String.format("%d/%d tenants (%d created, %d changed, %d unchanged, %d failed), %.0f"
                    + " tenants/s", done, entries.size(), created, changed, unchanged, failures.size(),
                    done / seconds));
        }
        return new Outcome(created, changed, unchanged, failures, (System.nanoTime() - started) / 1_000_000);
    }

    private static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, "usage", message);
    }
}
