package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl region list|status|pause|resume|reseed|evacuate}: pausing a region's replication, re-seeding its
 * copy, moving every primary off it.
 */
@Command(name = "region", description = "Regions: pause and resume their replication (maintenance), re-seed them.",
        sortOptions = false)
final class RegionCommand implements Runnable {
    static final List<String> COLUMNS = List.of("region", "paused", "since", "lagEntries", "lagSeconds", "reason",
            "requestedBy");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("list, status, pause, resume, reseed or evacuate");
    }

    @Command(name = "list", description = "Every region, paused or running (GET /admin/regions).")
    int list() {
        HttpApi.Response response = group.root().api().get("/admin/regions");
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode region : response.body().path("regions")) {
            rows.add(COLUMNS.stream().map(c -> c.equals("since") ? Times.when(region.get(c))
                    : Printer.text(region.get(c))).toList());
        }
        printer.table(COLUMNS, rows);
        return ExitCode.OK;
    }

    @Command(name = "status", description = "One region: paused or running, since when, its lag"
            + " (GET /admin/regions/{region}).")
    int status(@Parameters(paramLabel = "<region>") String region) {
        return print(group.root().api().get(path(region)), null);
    }

    @Command(name = "pause", sortOptions = false, description = "Pause the region's replication: its applier stops"
            + " applying the WAL, reads there are marked stale, it is no failover candidate or migration target"
            + " (POST /admin/regions/{region}/pause). Pausing a paused region changes nothing.")
    int pause(@Parameters(paramLabel = "<region>") String region,
              @Option(names = "--reason", paramLabel = "TEXT", description = "A note for other operators.")
              String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (reason != null) {
            body.put("reason", reason);
        }
        return print(group.root().api().post(path(region) + "/pause", body), "paused");
    }

    @Command(name = "resume", description = "Resume the region's replication: its applier catches up with the WAL"
            + " (POST /admin/regions/{region}/resume). Resuming a running region changes nothing.")
    int resume(@Parameters(paramLabel = "<region>") String region) {
        return print(group.root().api().post(path(region) + "/resume", Map.of()), "resumed");
    }

    private int print(HttpApi.Response response, String verb) {
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        JsonNode body = response.body();
        String region = body.path("region").asText();
        if (verb != null) {
            printer.line(body.path("changed").asBoolean(true)
                    ? "region " + region + " " + verb
                    : "region " + region + " was already " + (body.path("paused").asBoolean() ? "paused" : "running")
                            + "; nothing changed");
        }
        printer.object(Times.readable(body, List.of("since")));
        return ExitCode.OK;
    }

    @Command(name = "evacuate", sortOptions = false, description = {"Move the primary of every tenant whose primary"
            + " is in the region to another region, through migrations, several at a time (--parallel), with"
            + " progress. Each migration pauses only its own tenant's writes, briefly; each ends completed or rolled"
            + " back, even if this command or the controller stops. The region stays a replica (pause it afterwards"
            + " with 'region pause' for maintenance).",
            "Exit 0 when every tenant moved, 4 when some did not (the others still move), 3 when the node became"
            + " unreachable (migrations already requested still end on the controller; run it again)."})
    int evacuate(@Parameters(paramLabel = "<region>") String region,
                 @Option(names = "--to", paramLabel = "REGION", description = "Move every tenant there (default: per"
                         + " tenant, the healthy replica with the fewest primaries).") String to,
                 @Option(names = "--dry-run", description = "Show which tenant would go where; change nothing.")
                 boolean dryRun,
                 @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.") boolean yes,
                 @Option(names = "--migration-timeout", paramLabel = "DURATION", defaultValue = "PT5M",
                         description = "How long to wait for each migration (ISO-8601, default ${DEFAULT-VALUE}).")
                 java.time.Duration perMigration,
                 @Option(names = "--parallel", paramLabel = "N", defaultValue = "" + Evacuation.DEFAULT_PARALLEL,
                         description = "Migrations running at once (1-" + Evacuation.MAX_PARALLEL + ", default"
                                 + " ${DEFAULT-VALUE}); the controller also bounds those of one region"
                                 + " (migration.max.per.region) and this command waits when it is reached.")
                 int parallel) {
        if (parallel < 1 || parallel > Evacuation.MAX_PARALLEL) {
            throw new CliException(ExitCode.USAGE, "invalid_parallel", "--parallel " + parallel + ": use 1 to "
                    + Evacuation.MAX_PARALLEL);
        }
        Printer printer = group.root().printer();
        Evacuation evacuation = new Evacuation(group.root().api(), printer, group.commandLine().getErr());
        List<Evacuation.Move> moves = evacuation.plan(region, java.util.Optional.ofNullable(to));
        if (moves.isEmpty()) {
            printer.note("no tenant has its primary in " + region + ": nothing to evacuate");
            return ExitCode.OK;
        }
        if (dryRun) {
            if (printer.json()) {
                printer.json(io.meridian.infra.serde.Json.toTree(Map.of("region", region, "dryRun", true,
                        "moves", moves)));
            } else {
                printer.line("dry run, nothing sent: evacuation of " + region + " (" + moves.size() + " tenant(s))");
                printer.table(List.of("tenant", "to", "note"), moves.stream().map(m -> List.of(m.tenant(),
                        m.target() == null ? Printer.NONE : m.target(), m.why())).toList());
            }
            return ExitCode.OK;
        }
        if (!yes && !group.root().confirm("Move the primaries of " + moves.size() + " tenant(s) off " + region
                + ", up to " + parallel + " migration(s) at a time? [y/N] ")) {
            throw new CliException(ExitCode.ABORTED, "not_confirmed", "evacuation of " + region
                    + " not confirmed; nothing was sent (--dry-run shows the plan)");
        }
        return evacuation.run(region, moves, perMigration, parallel);
    }

    static String path(String region) {
        return "/admin/regions/" + HttpApi.segment(region);
    }

    @Command(name = "reseed", description = "Rebuild every tenant the region holds from snapshots of their primaries"
            + " (POST /admin/regions/{region}/reseed): each tenant syncs there again; follow with 'meridianctl sync"
            + " list' on a node of the region.")
    int reseed(@Parameters(paramLabel = "<region>") String region) {
        HttpApi.Response response = group.root().api().post("/admin/regions/" + HttpApi.segment(region) + "/reseed",
                null);
        Printer printer = group.root().printer();
        JsonNode body = response.body();
        if (printer.json()) {
            printer.json(body);
            return ExitCode.OK;
        }
        printer.line("re-seeding " + region + ": " + body.path("tenants").size() + " tenant(s) syncing again "
                + body.path("tenants") + (body.path("already_syncing").isEmpty() ? ""
                : ", already syncing " + body.path("already_syncing")));
        return ExitCode.OK;
    }
}
