package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.api.AutomaticFailoverReport;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reading {@code GET /v1/replication/health} for people: its regions, its automatic failover. Stateless. */
final class HealthAnswer {
    static final String PATH = "/v1/replication/health";

    private HealthAnswer() {
    }

    /** Region name → its entry ({@code RegionHealthReport}), in the node's (configured) order. */
    static List<Map.Entry<String, JsonNode>> regions(JsonNode regions) {
        List<Map.Entry<String, JsonNode>> result = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = regions.fields(); it.hasNext(); ) {
            result.add(it.next());
        }
        return result;
    }

    /** {@code on}, {@code off (failover.enabled=false)}, or {@code PAUSED since ... by ...: reason}. */
    static String automaticFailover(AutomaticFailoverReport report) {
        if (report.paused()) {
            return "PAUSED since " + Times.whenIso(report.since())
                    + " by " + Objects.toString(report.requestedBy(), Printer.NONE)
                    + (report.reason() == null || report.reason().isEmpty() ? "" : ": " + report.reason())
                    + (report.enabled() ? "" : " (and off: failover.enabled=false)")
                    + "; 'meridianctl replication resume-failover' turns it back on";
        }
        return report.enabled() ? "on" : "off (failover.enabled=false on the node asked)";
    }
}
