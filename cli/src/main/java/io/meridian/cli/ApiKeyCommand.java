package io.meridian.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.api.ApiKeyLine;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridianctl apikey create --tenants acme,acme-eu [--name acme-app]}: makes a data API key on this machine
 * (no node is asked) and prints it with the line to add to {@code data.api.keys.file} on every node; the file keeps
 * only the key's SHA-256 digest. Revoke a key by removing its line.
 */
@Command(name = "apikey", description = "Data API keys (data.auth.enabled): make one and the line of"
        + " data.api.keys.file that grants it.")
final class ApiKeyCommand implements Runnable {
    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("create");
    }

    @Command(name = "create", sortOptions = false, description = {"Make a random key granting TENANTS; print it"
            + " (shown once) and its line for data.api.keys.file (its SHA-256 digest, the tenants, the name).",
            "Add the line to the file on every node: they read it again within a second. Remove it to revoke."})
    int create(@Option(names = "--tenants", required = true, split = ",", paramLabel = "TENANT[,TENANT...]",
                       description = "The tenants the key may read and write, or '*' for every tenant.")
               List<String> tenants,
               @Option(names = "--name", paramLabel = "NAME", description = "One word naming the key (logs, the"
                       + " per-client rate limit).") String name) {
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
}
