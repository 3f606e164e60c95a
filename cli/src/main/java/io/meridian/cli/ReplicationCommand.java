package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meridianctl replication election|health|failover}. */
@Command(name = "replication", description = "Controller election, region health and failover.", sortOptions = false)
final class ReplicationCommand implements Runnable {
    static final String ELECTION_PATH = "/admin/replication/election";
    static final String HEALTH_PATH = "/v1/replication/health";
    static final String FAILOVER_PATH = "/admin/replication/failover";
    static final String ARROW = " -> ";

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("election, health or failover");
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
        fields.add(Map.entry("since", time(body.get("since"))));
        printer.fields(fields);
        return ExitCode.OK;
    }

    @Command(name = "health", description = "Region health and replication lag (GET " + HEALTH_PATH + ").")
    int health() {
        JsonNode body = group.root().api().get(HEALTH_PATH).body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        if (body.has("status")) {
            printer.line("status: " + Printer.text(body.get("status")));
        }
        long now = body.path("atMillis").asLong(System.currentTimeMillis());
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, JsonNode> region : regions(body.path("regions"))) {
            JsonNode r = region.getValue();
            String health = Printer.text(first(r, "health", "state", "status"));
            JsonNode healthy = first(r, "healthy");
            rows.add(List.of(region.getKey(), health,
                    healthy != null ? Printer.text(healthy) : Boolean.toString("healthy".equals(health)),
                    Printer.text(first(r, "lagEntries", "totalLagEntries", "lag.entries", "lag.totalLagEntries")),
                    Printer.text(first(r, "lagSeconds", "maxLagSeconds", "lag.seconds", "lag.maxLagSeconds")),
                    heartbeatAge(r, now)));
        }
        printer.table(List.of("region", "health", "healthy", "lag entries", "lag s", "heartbeat age"), rows);
        return ExitCode.OK;
    }

    @Command(name = "failover", sortOptions = false,
            description = "Move the primaries of a region's tenants to healthy replicas (POST " + FAILOVER_PATH + ").")
    int failover(@Parameters(paramLabel = "<region>", description = "The region to fail over.") String region,
                 @Option(names = "--target", paramLabel = "REGION",
                         description = "Promote this region (default: the controller chooses per tenant).")
                 String target,
                 @Option(names = "--force", description = "Fail over even inside the region's inhibit window.")
                 boolean force) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("region", region);
        if (target != null) {
            request.put("target", target);
        }
        request.put("force", force);
        HttpApi.Response response = group.root().api().post(FAILOVER_PATH, request);
        Printer printer = group.root().printer();
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

    /** Region name → status, from a list of objects with "region" or an object keyed by region. */
    static List<Map.Entry<String, JsonNode>> regions(JsonNode regions) {
        List<Map.Entry<String, JsonNode>> result = new ArrayList<>();
        if (regions.isArray()) {
            regions.forEach(r -> result.add(Map.entry(Printer.text(first(r, "region", "name")), r)));
        } else if (regions.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = regions.fields(); it.hasNext(); ) {
                result.add(it.next());
            }
        }
        return result;
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

    private static String heartbeatAge(JsonNode region, long now) {
        JsonNode millis = first(region, "heartbeatAgeMs", "heartbeatAgeMillis", "lastHeartbeatAgeMs");
        if (millis != null && millis.isNumber()) {
            return seconds(millis.asLong());
        }
        JsonNode secs = first(region, "heartbeatAgeSeconds", "heartbeatAge");
        if (secs != null) {
            return secs.isNumber() ? String.format(Locale.ROOT, "%.1fs", secs.asDouble()) : secs.asText();
        }
        JsonNode last = first(region, "lastHeartbeatMillis", "lag.lastHeartbeatMillis");
        if (last != null && last.isNumber() && last.asLong() > 0) {
            return seconds(Math.max(0, now - last.asLong()));
        }
        return Printer.NONE;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    private static String node(JsonNode id, JsonNode region, JsonNode url) {
        return Printer.text(id) + " (" + Printer.text(region) + ")" + (url == null || url.isNull() ? ""
                : " " + url.asText());
    }

    static String time(JsonNode value) {
        if (value != null && value.isIntegralNumber() && value.asLong() > 0) {
            return Instant.ofEpochMilli(value.asLong()).toString();
        }
        return Printer.text(value);
    }
}
