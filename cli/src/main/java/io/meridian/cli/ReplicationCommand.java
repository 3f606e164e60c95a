package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.api.AutomaticFailoverReport;
import io.meridian.infra.api.RegionHealthReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meridianctl replication election|health|failover|pause-failover|resume-failover}. */
@Command(name = "replication", description = "Controller election, region health and failover.", sortOptions = false)
final class ReplicationCommand implements Runnable {
    static final String ELECTION_PATH = "/admin/replication/election";
    static final String HEALTH_PATH = HealthAnswer.PATH;
    static final String FAILOVER_PATH = "/admin/replication/failover";
    static final String AUTOMATIC_FAILOVER_PATH = "/admin/replication/automatic-failover";
    static final String ARROW = " -> ";

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("election, health, failover, pause-failover or resume-failover");
    }

    @Command(name = "election", description = "Who is the controller, as the node sees it (GET " + ELECTION_PATH + ").")
    int election() {
        JsonNode body = group.root().api().get(ELECTION_PATH).body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        fields.add(Map.entry("backend", Printer.text(body.get("backend"))));
        fields.add(Map.entry("state", Printer.text(body.get("state"))));
        fields.add(Map.entry("epoch", Printer.text(body.get("epoch"))));
        fields.add(Map.entry("quorum", Printer.text(body.get("hasQuorum"))));
        fields.add(Map.entry("leader", body.hasNonNull("leaderNodeId") ? node(body.get("leaderNodeId"),
                body.get("leaderRegion"), body.get("leaderUrl")) : "none known"));
        JsonNode self = body.path("self");
        fields.add(Map.entry("this node", node(self.get("nodeId"), self.get("region"), self.get("url"))
                + (self.has("priority") ? ", priority " + Printer.text(self.get("priority")) : "")));
        fields.add(Map.entry("since", Times.when(body.get("since"))));
        printer.fields(fields);
        return ExitCode.OK;
    }

    @Command(name = "health", description = {"Region health and replication lag (GET " + HEALTH_PATH + ").",
            "Exit 0 when the status is healthy, " + ExitCode.NOT_HEALTHY + " when it is degraded or unhealthy."})
    int health() {
        JsonNode body = group.root().api().get(HEALTH_PATH).body();
        Printer printer = group.root().printer();
        String status = Printer.text(body.get("status"));
        int exit = "healthy".equals(status) ? ExitCode.OK : ExitCode.NOT_HEALTHY;
        if (printer.json()) {
            printer.json(body);
            return exit;
        }
        printer.line("status: " + status);
        JsonNode automatic = body.get("automaticFailover");
        if (automatic != null && automatic.isObject()) {
            printer.line("automatic failover: " + HealthAnswer.automaticFailover(Responses.read(automatic,
                    AutomaticFailoverReport.class)));
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, JsonNode> region : HealthAnswer.regions(body.path("regions"))) {
            RegionHealthReport r = Responses.read(region.getValue(), RegionHealthReport.class);
            rows.add(List.of(region.getKey(), Objects.toString(r.health(), Printer.NONE), Boolean.toString(r.healthy()),
                    r.lagEntries() == null ? Printer.NONE : Long.toString(r.lagEntries()),
                    r.lagSeconds() == null ? Printer.NONE : String.format(Locale.ROOT, "%.1f", r.lagSeconds()),
                    r.lastHeartbeatAgeMillis() == null ? Printer.NONE : Times.age(r.lastHeartbeatAgeMillis()),
                    r.paused() ? "paused" + (r.pausedSince() == null ? "" : " since "
                            + Times.whenIso(r.pausedSince()))
                            : r.needsReseed() ? "needs reseed" : ""));
        }
        printer.table(List.of("region", "health", "healthy", "lag entries", "lag s", "heartbeat age", "note"), rows);
        return exit;
    }

    @Command(name = "pause-failover", sortOptions = false, description = {"Pause automatic failover cluster-wide"
            + " (POST " + AUTOMATIC_FAILOVER_PATH + "/pause), like 'patronictl pause': the controller fails no region"
            + " over on its own until resumed; manual failover still works. Durable: it survives restarts and"
            + " controller changes. Pausing a paused failover changes nothing."})
    int pauseFailover(@Option(names = "--reason", paramLabel = "TEXT", description = "A note for other operators.")
                      String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (reason != null) {
            body.put("reason", reason);
        }
        return printPause(group.root().api().post(AUTOMATIC_FAILOVER_PATH + "/pause", body), "paused");
    }

    @Command(name = "resume-failover", description = "Resume automatic failover cluster-wide (POST "
            + AUTOMATIC_FAILOVER_PATH + "/resume). Resuming a running failover changes nothing.")
    int resumeFailover() {
        return printPause(group.root().api().post(AUTOMATIC_FAILOVER_PATH + "/resume", Map.of()), "resumed");
    }

    private int printPause(HttpApi.Response response, String verb) {
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        AutomaticFailoverReport report = Responses.read(response.body(), AutomaticFailoverReport.class);
        printer.line(report.changed() == null || report.changed() ? "automatic failover " + verb
                : "automatic failover was already " + (report.paused() ? "paused" : "running") + "; nothing changed");
        printer.line("automatic failover: " + HealthAnswer.automaticFailover(report));
        return ExitCode.OK;
    }

    @Command(name = "failover", sortOptions = false,
            description = {"Move the primaries of a region's tenants to healthy replicas (POST " + FAILOVER_PATH
                    + ").", "Asks for confirmation first (--yes skips it); --dry-run shows which tenants would move."})
    int failover(@Parameters(paramLabel = "<region>", description = "The region to fail over.") String region,
                 @Option(names = "--target", paramLabel = "REGION",
                         description = "Promote this region (default: the controller chooses per tenant).")
                 String target,
                 @Option(names = "--ignore-inhibit",
                         description = "Fail over even inside the region's inhibit window (a recent failover of it).")
                 boolean ignoreInhibit,
                 @Option(names = "--force", hidden = true, description = "Deprecated: --ignore-inhibit.")
                 boolean force,
                 @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
                 @Option(names = "--dry-run", description = "Show the tenants whose primary is there and their"
                         + " healthy replicas; change nothing.") boolean dryRun) {
        Printer printer = group.root().printer();
        if (force) {
            group.commandLine().getErr().println("note: --force is deprecated; use --ignore-inhibit");
            group.commandLine().getErr().flush();
        }
        if (dryRun) {
            return FailoverPreview.show(group.root().api(), printer, region, target);
        }
        if (!yes && !group.root().confirm("Fail over region " + region + (target == null ? ""
                : " to " + target) + (ignoreInhibit || force ? ", ignoring its inhibit window" : "")
                + "? Every tenant whose primary is there gets a new primary. [y/N] ")) {
            throw new CliException(ExitCode.ABORTED, "not_confirmed", "failover of " + region
                    + " not confirmed; nothing was sent (--yes skips the question, --dry-run shows what would move)");
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("region", region);
        if (target != null) {
            request.put("target", target);
        }
        request.put("force", ignoreInhibit || force);
        HttpApi.Response response = group.root().api().post(FAILOVER_PATH, request);
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        JsonNode tenants = response.body().path("tenants");
        if (tenants.isEmpty()) {
            printer.line("failover of " + region + ": no tenant has its primary there");
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode tenant : tenants) {
            rows.add(List.of(Printer.text(tenant.get("tenant")),
                    Printer.text(tenant.get("oldPrimary")) + ARROW + Printer.text(tenant.get("newPrimary")),
                    Printer.text(tenant.get("epoch")), Printer.text(tenant.get("outcome")),
                    Printer.text(tenant.get("reason"))));
        }
        printer.line("failover of " + region + ":");
        printer.table(List.of("tenant", "primary (old" + ARROW + "new)", "epoch", "outcome", "reason"), rows);
        if (response.status() == 202) {
            printer.note("committed; this node does not show the new placements yet");
        }
        return ExitCode.OK;
    }

    /** The first of {@code names} (dotted for nested fields) that is present and not null, else null. */
    static JsonNode first(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode value = node;
            for (String part : name.split("\\.")) {
                value = value.path(part);
            }
            if (!value.isMissingNode() && !value.isNull()) {
                return value;
            }
        }
        return null;
    }

    private static String node(JsonNode id, JsonNode region, JsonNode url) {
        return Printer.text(id) + " (" + Printer.text(region) + ")" + (url == null || url.isNull() ? ""
                : " " + url.asText());
    }
}
