package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.api.ApiKeyLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl apikey create|list|revoke}: data API keys (data.auth.enabled) through the admin API
 * ({@code /admin/api-keys}: stored hashed in {@code meridian.api-keys}, honoured by every node within about a second).
 * {@code create --offline} makes a key on this machine instead (no node is asked) and prints the line to add to
 * {@code data.api.keys.file} on every node.
 */
@Command(name = "apikey", description = "Data API keys (data.auth.enabled): create, list and revoke them through the"
        + " admin API, or make one for data.api.keys.file (create --offline).")
final class ApiKeyCommand implements Runnable {
    static final String PATH = "/admin/api-keys";
    static final List<String> COLUMNS = List.of("name", "source", "tenants", "digestPrefix", "createdAt",
            "createdBy");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("create, list or revoke");
    }

    @Command(name = "create", sortOptions = false, description = {"Create a key granting TENANTS through the admin"
            + " API (POST /admin/api-keys): every node honours it within about a second; the key is printed once"
            + " and stored nowhere, only its SHA-256 digest is.",
            "With --offline: make the key here and print its line for data.api.keys.file (add it to the file on every"
            + " node; remove it to revoke)."})
    int create(@Option(names = "--tenants", required = true, split = ",", paramLabel = "TENANT[,TENANT...]",
                       description = "The tenants the key may read and write, or '*' for every tenant.")
               List<String> tenants,
               @Option(names = "--name", paramLabel = "NAME", description = "The key's name (lists, logs, the"
                       + " per-client rate limit); required unless --offline.") String name,
               @Option(names = "--offline", description = "Ask no node: print the key and its line for"
                       + " data.api.keys.file.") boolean offline) {
        if (offline) {
            return offline(tenants, name);
        }
        if (name == null || name.isBlank()) {
            throw new CommandLine.ParameterException(group.commandLine(), "--name is required (or --offline)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("tenants", tenants);
        body.put("createdBy", System.getProperty("user.name", "") + " (meridianctl)");
        JsonNode created = group.root().api().post(PATH, body).body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(created);
            return ExitCode.OK;
        }
        printer.line("key (shown once: give it to the client; only its digest is stored): "
                + created.path("key").asText());
        ObjectNode rest = created.deepCopy();
        rest.remove("key");
        printer.object(Times.readable(rest, List.of("createdAt")));
        return ExitCode.OK;
    }

    private int offline(List<String> tenants, String name) {
        ApiKeyLine made;
        try {
            made = ApiKeyLine.create(tenants, name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(group.commandLine(), e.getMessage());
        }
        Printer printer = group.root().printer();
        if (printer.json()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("key", made.key());
            out.put("line", made.line());
            printer.json(out);
        } else {
            printer.line("key (give it to the client; it is not stored anywhere): " + made.key());
            printer.line("line for data.api.keys.file on every node: " + made.line());
        }
        return ExitCode.OK;
    }

    @Command(name = "list", description = "Every key the node knows, created through the admin API or in"
            + " data.api.keys.file (GET /admin/api-keys, every page): names, tenants, a prefix of the digest; never"
            + " a key.")
    int list() {
        JsonNode body = group.root().api().getAllPages(PATH, "apiKeys").body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode key : body.path("apiKeys")) {
            rows.add(COLUMNS.stream().map(c -> c.equals("createdAt") ? Times.when(key.get(c))
                    : Printer.text(key.get(c))).toList());
        }
        printer.table(COLUMNS, rows);
        return ExitCode.OK;
    }

    @Command(name = "revoke", description = "Revoke a key created through the admin API (DELETE"
            + " /admin/api-keys/{name}): refused at once by the node asked, by every node within about a second."
            + " A key of data.api.keys.file is revoked by removing its line.")
    int revoke(@Parameters(paramLabel = "<name>") String name) {
        group.root().api().delete(PATH + "/" + HttpApi.segment(name));
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(JsonNodeFactory.instance.objectNode().put("name", name).put("revoked", true));
        } else {
            printer.line("api key " + name + " revoked");
        }
        return ExitCode.OK;
    }
}
