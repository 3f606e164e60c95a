package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.api.AutomaticFailoverReport;
import io.meridian.infra.api.RegionHealthReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code replication failover <region> --dry-run}: what a failover would move, from two reads (the placements and the
 * replication health), sending nothing that changes anything. The controller still decides at the time of the real
 * failover (highest applied position, then priority, inhibit window), so this is a preview, not a plan. Stateless.
 */
final class FailoverPreview {

    private FailoverPreview() {
    }

    static int show(HttpApi api, Printer printer, String region, String target) {
        JsonNode health = api.get(HealthAnswer.PATH).body();
        Map<String, RegionHealthReport> regions = new LinkedHashMap<>();
        HealthAnswer.regions(health.path("regions")).forEach(e -> regions.put(e.getKey(),
                Responses.read(e.getValue(), RegionHealthReport.class)));
        if (!regions.containsKey(region)) {
            throw new CliException(ExitCode.SERVER_ERROR, "region_not_found", "region '" + region + "' is not a"
                    + " region of this deployment; the regions are " + regions.keySet());
        }
        // The region's primaries only (the node filters), every page of them, one page held at a time.
        List<ObjectNode> moving = new ArrayList<>();
        api.forEachPage("/admin/tenants?primary=" + HttpApi.segment(region), "tenants", placement -> {
            if (!region.equals(placement.path("primary").asText())) {
                return;
            }
            List<String> candidates = new ArrayList<>();
            for (JsonNode replica : placement.path("replicas")) {
                RegionHealthReport r = regions.get(replica.asText());
                if (!replica.asText().equals(region) && r != null && r.healthy() && !r.paused()
                        && (target == null || target.equals(replica.asText()))) {
                    candidates.add(replica.asText());
                }
            }
            ObjectNode row = JsonNodeFactory.instance.objectNode();
            row.put("tenant", placement.path("tenant").asText());
            row.set("replicas", placement.path("replicas"));
            row.put("candidates", String.join(",", candidates));
            row.put("outcome", candidates.isEmpty() ? "stays (no healthy replica" + (target == null ? ""
                    : " " + target) + ")" : "moves");
            moving.add(row);
        });
        if (printer.json()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("region", region);
            out.put("dryRun", true);
            out.set("tenants", JsonNodeFactory.instance.arrayNode().addAll(moving));
            printer.json(out);
            return ExitCode.OK;
        }
        RegionHealthReport failing = regions.get(region);
        printer.line("dry run, nothing sent: failover of " + region + " (" + failing.health()
                + (failing.lastHeartbeatAgeMillis() == null ? ", never heard from"
                : ", last heartbeat " + Times.age(failing.lastHeartbeatAgeMillis()) + " ago") + ")");
        JsonNode automatic = health.get("automaticFailover");
        if (automatic != null && automatic.isObject()) {
            printer.line("automatic failover: " + HealthAnswer.automaticFailover(
                    Responses.read(automatic, AutomaticFailoverReport.class)));
        }
        if (moving.isEmpty()) {
            printer.line("no tenant has its primary in " + region);
            return ExitCode.OK;
        }
        printer.objects(JsonNodeFactory.instance.arrayNode().addAll(moving), List.of());
        printer.note("candidates: healthy, running replicas; the controller picks the one with the highest applied"
                + " position, then priority, and refuses inside the region's inhibit window (--ignore-inhibit)");
        return ExitCode.OK;
    }
}
