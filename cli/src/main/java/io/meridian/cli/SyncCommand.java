package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl sync status|list|cancel}: full syncs (a region added to a tenant's replicas, or re-seeded) over
 * the admin API. A sync starts with {@code meridianctl tenants place} (adding a region) or
 * {@code meridianctl region reseed}.
 */
@Command(name = "sync", description = "Regions filling a tenant from a snapshot (full sync, re-seed).",
        sortOptions = false)
final class SyncCommand implements Runnable {
    static final long WATCH_INTERVAL_MS = 1_000;

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("status, list or cancel");
    }

    @Command(name = "status", description = "Progress of a region's sync of a tenant (GET /admin/tenants/{tenant}/sync"
            + "?region=R): documents and bytes copied, remaining, rate, ETA; --watch follows it with a progress bar.")
    int status(@Parameters(paramLabel = "<tenant>") String tenant,
               @Option(names = "--region", paramLabel = "REGION",
                       description = "The syncing region (default: the region of the node asked).") String region,
               @Option(names = "--watch", description = "Poll every second until the sync has ended.")
               boolean watch) throws InterruptedException {
        String path = "/admin/tenants/" + HttpApi.segment(tenant) + "/sync"
                + (region == null ? "" : "?region=" + HttpApi.segment(region));
        Printer printer = group.root().printer();
        while (true) {
            JsonNode body = group.root().api().get(path).body();
            JsonNode sync = body.path("sync");
            if (printer.json()) {
                printer.json(body);
            } else if (watch) {
                printer.line(progressLine(sync, body.path("syncing").asBoolean()));
            } else {
                printer.object(body);
            }
            boolean over = !body.path("syncing").asBoolean() || "failed".equals(sync.path("state").asText());
            if (!watch || over) {
                return "failed".equals(sync.path("state").asText()) ? ExitCode.MIGRATION_FAILED : ExitCode.OK;
            }
            Thread.sleep(WATCH_INTERVAL_MS);
        }
    }

    @Command(name = "list", description = "Every sync the asked node's region has heard of (GET /admin/syncs).")
    int list() {
        JsonNode body = group.root().api().getAllPages("/admin/syncs", "syncs").body();
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode s : body.path("syncs")) {
            rows.add(List.of(s.path("tenant").asText(), s.path("region").asText(), s.path("state").asText(),
                    s.path("documents_copied").asText() + "/" + total(s.path("documents_total")),
                    s.path("documents_remaining").asText(), s.path("source").asText(),
                    s.path("fence_position").asText()));
        }
        printer.table(List.of("tenant", "region", "state", "documents", "remaining", "source", "fence"), rows);
        return ExitCode.OK;
    }

    @Command(name = "cancel", description = "Cancel a region's sync of a tenant: the region leaves the tenant's"
            + " replicas and drops its partial copy (DELETE /admin/tenants/{tenant}/sync/{region}).")
    int cancel(@Parameters(paramLabel = "<tenant>") String tenant,
               @Parameters(paramLabel = "<region>") String region) {
        HttpApi.Response response = group.root().api().delete("/admin/tenants/" + HttpApi.segment(tenant) + "/sync/"
                + HttpApi.segment(region));
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
        } else {
            printer.line("cancelled " + region + "'s sync of " + tenant + "; the placement is now:");
            printer.object(response.body());
        }
        return ExitCode.OK;
    }

    /** {@code [#####-----]  50% 5000/10000 docs, 1.2/2.4 MiB, 800 docs/s, ETA 6 s (copying)}. */
    static String progressLine(JsonNode sync, boolean syncing) {
        long copied = sync.path("documents_copied").asLong();
        long total = sync.path("documents_total").asLong(-1);
        String state = sync.path("state").asText();
        double fraction = total > 0 ? (double) copied / total : ("caught_up".equals(state) || "ended".equals(state)
                ? 1.0 : 0.0);
        String eta = sync.hasNonNull("eta_seconds") ? sync.get("eta_seconds").asLong() + " s" : "?";
        return MigrationWatch.bar(fraction) + String.format(Locale.ROOT,
                " %d/%s docs, %s/%s, %.0f docs/s, ETA %s (%s%s)", copied, total(sync.path("documents_total")),
                mib(sync.path("bytes_copied").asLong()), mib(sync.path("bytes_total").asLong(-1)),
                sync.path("documents_per_second").asDouble(), eta, state,
                syncing ? "" : ", caught up: the region serves the tenant");
    }

    private static String total(JsonNode total) {
        return total.asLong(-1) < 0 ? "?" : total.asText();
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

}
