package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl failback list|trigger|cancel}: failbacks of tenants to their preferred primary, over the admin
 * API (the controller runs them; any node forwards).
 */
@Command(name = "failback", description = "Failbacks of tenants to their preferred primary.", sortOptions = false)
final class FailbackCommand implements Runnable {
    static final List<String> COLUMNS = List.of("tenant", "state", "from", "fromRegion", "to", "toRegion",
            "eligibleAt", "migrationId", "reason");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("list, trigger or cancel");
    }

    @Command(name = "list", description = "Failbacks waiting or running, and why they wait (GET /admin/failbacks).")
    int list() {
        JsonNode body = group.root().api().getAllPages("/admin/failbacks", "failbacks").body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        JsonNode failbacks = body.path("failbacks");
        if (failbacks.isArray() && failbacks.isEmpty()) {
            printer.line("no failbacks pending");
        } else if (failbacks.isArray()) {
            printer.objects(readable(failbacks), COLUMNS);
        } else {
            printer.object(body);
        }
        return ExitCode.OK;
    }

    @Command(name = "trigger", description = "Move a tenant back to its preferred primary now, without waiting for"
            + " failback.after.ms (POST /admin/tenants/{tenant}/failback).")
    int trigger(@Parameters(paramLabel = "<tenant>") String tenant) {
        HttpApi.Response response = group.root().api().post(path(tenant), Map.of());
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        printer.line("failback of " + tenant + " started:");
        printer.object(response.body());
        MigrateCommand.migrationId(response.body()).filter(id -> !id.isEmpty()).ifPresent(id -> printer.note(
                "follow it with: meridianctl migrate watch " + id));
        return ExitCode.OK;
    }

    @Command(name = "cancel", description = "Cancel a tenant's failback: a waiting one will not start, a running one"
            + " is rolled back before its switch (POST /admin/tenants/{tenant}/failback/cancel).")
    int cancel(@Parameters(paramLabel = "<tenant>") String tenant) {
        HttpApi.Response response = group.root().api().post(path(tenant) + "/cancel", Map.of());
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        printer.line("failback of " + tenant + " cancelled:");
        printer.object(response.body());
        return ExitCode.OK;
    }

    /** Times for people ({@link Times}; -1, "unknown", as "-"). */
    static JsonNode readable(JsonNode failbacks) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode failback : failbacks) {
            ObjectNode copy = failback.deepCopy();
            for (String field : List.of("eligibleAt", "failedOverAt")) {
                JsonNode at = failback.get(field);
                if (at != null && at.isNumber()) {
                    copy.put(field, at.asLong() < 0 ? Printer.NONE : Times.when(at.asLong()));
                }
            }
            out.add(copy);
        }
        return out;
    }

    private static String path(String tenant) {
        return "/admin/tenants/" + HttpApi.segment(tenant) + "/failback";
    }
}
