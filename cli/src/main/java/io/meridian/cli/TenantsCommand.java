package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.serde.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meridianctl tenants list|get|place|import}: placements over the admin API. */
@Command(name = "tenants", description = "Tenants and their placements.", sortOptions = false)
final class TenantsCommand implements Runnable {
    static final List<String> COLUMNS = List.of("tenant", "primary", "replicas", "epoch", "writes", "strategy", "mode");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("list, get, place or import");
    }

    @Command(name = "list", sortOptions = false,
            description = "A page of tenants' placements in tenant order (GET /admin/tenants); the next page with"
                    + " --cursor.")
    int list(@Option(names = "--limit", paramLabel = "N", description = "At most N tenants (1-1000; the node's"
                     + " default: 1000).") Integer limit,
             @Option(names = "--cursor", paramLabel = "TENANT", description = "Start after this tenant (the 'next'"
                     + " the previous page printed).") String cursor,
             @Option(names = "--region", paramLabel = "REGION", description = "Only tenants with a copy in REGION.")
             String region,
             @Option(names = "--primary", paramLabel = "REGION", description = "Only tenants whose primary is REGION.")
             String primary) {
        List<String> query = new ArrayList<>();
        if (limit != null) {
            query.add("limit=" + limit);
        }
        if (cursor != null) {
            query.add("cursor=" + HttpApi.segment(cursor));
        }
        if (region != null) {
            query.add("region=" + HttpApi.segment(region));
        }
        if (primary != null) {
            query.add("primary=" + HttpApi.segment(primary));
        }
        HttpApi.Response response = group.root().api().get("/admin/tenants"
                + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        JsonNode tenants = response.body().path("tenants");
        placements(printer, tenants);
        if (response.body().has("next")) {
            printer.note("more: meridianctl tenants list --cursor " + response.body().get("next").asText()
                    + (region == null ? "" : " --region " + region) + (primary == null ? "" : " --primary " + primary));
        } else if (tenants.isEmpty()) {
            printer.note("(no tenants: place one with 'meridianctl tenants place <tenant> --primary R --replicas"
                    + " R1,R2')");
        }
        return ExitCode.OK;
    }

    @Command(name = "get", description = "One tenant's placement (GET /admin/tenants/{tenant}/placement).")
    int get(@Parameters(paramLabel = "<tenant>") String tenant) {
        HttpApi.Response response = group.root().api().get(placementPath(tenant));
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
        } else {
            printer.object(response.body());
        }
        return ExitCode.OK;
    }

    @Command(name = "place", sortOptions = false,
            description = "Create or change a tenant's placement (PUT /admin/tenants/{tenant}/placement).")
    int place(@Parameters(paramLabel = "<tenant>") String tenant,
              @Option(names = "--primary", required = true, paramLabel = "REGION",
                      description = "The region that accepts the tenant's writes.") String primary,
              @Option(names = "--replicas", required = true, split = ",", paramLabel = "R1,R2",
                      description = "The regions holding a copy; the primary is added when not listed.")
              List<String> replicas,
              @Option(names = "--strategy", paramLabel = "reject|lww|merge", converter = StrategyConverter.class,
                      description = "Conflict strategy (the node's default: reject).") ConflictStrategy strategy,
              @Option(names = "--mode", paramLabel = "single-primary|multi-primary", converter = ModeConverter.class,
                      description = "Replication mode (the node's default: single-primary).") ReplicationMode mode,
              @Option(names = "--write-concern", paramLabel = "local|majority|all|regions=N",
                      converter = WriteConcernConverter.class,
                      description = "How many regions must have applied a write before it is acknowledged, when the"
                              + " write names none (new tenants: local; a change without it keeps the current one).")
              WriteConcern writeConcern,
              @Option(names = "--preferred-primary", paramLabel = "REGION",
                      description = "The region failback returns the tenant to after an automatic failover moved it"
                              + " away (one of the replicas; none when not given).") String preferredPrimary) {
        List<String> regions = new ArrayList<>();
        if (!replicas.contains(primary)) {  // the primary always holds a copy
            regions.add(primary);
        }
        replicas.stream().map(String::strip).filter(r -> !r.isEmpty() && !regions.contains(r)).forEach(regions::add);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("primary", primary);
        body.put("replicas", regions);
        if (strategy != null) {
            body.put("strategy", strategy.wireName());
        }
        if (mode != null) {
            body.put("mode", mode.wireName());
        }
        if (writeConcern != null) {
            body.put("write_concern", writeConcern.wireName());
        }
        if (preferredPrimary != null) {
            body.put("preferred_primary", preferredPrimary.strip());
        }
        HttpApi.Response response = group.root().api().put(placementPath(tenant), body);
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(response.body());
            return ExitCode.OK;
        }
        printer.line(switch (response.status()) {
            case 201 -> "created placement of " + tenant;
            case 202 -> "committed placement of " + tenant + "; this node does not show it yet (check with"
                    + " 'meridianctl tenants get " + tenant + "')";
            default -> "placement of " + tenant + " is now:";
        });
        printer.object(response.body());
        return ExitCode.OK;
    }

    @Command(name = "import", sortOptions = false,
            description = "Create or change many tenants' placements from a file (PUT /admin/tenants, in requests of"
                    + " --batch entries), with progress. FILE: a JSON array of {\"tenant\",\"primary\",\"replicas\",...}"
                    + " entries, {\"tenants\":[...]}, or one entry per line. Exit code 1 when an entry was refused.")
    int importFile(@Parameters(paramLabel = "FILE") Path file,
                   @Option(names = "--batch", defaultValue = "1000", paramLabel = "N",
                           description = "Entries per request (1-10000, default ${DEFAULT-VALUE}).") int batch) {
        Printer printer = group.root().printer();
        List<JsonNode> entries = TenantImport.read(file);
        TenantImport.Outcome outcome = TenantImport.send(group.root().api(), entries, batch, printer::note);
        if (printer.json()) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("created", outcome.created());
            summary.put("changed", outcome.changed());
            summary.put("unchanged", outcome.unchanged());
            summary.put("failed", outcome.failures().size());
            summary.put("millis", outcome.millis());
            summary.put("failures", outcome.failures());
            printer.json(Json.toTree(summary));
        } else {
            printer.line(String.format("imported %d tenants in %.1f s: %d created, %d changed, %d unchanged, %d failed",
                    outcome.total(), outcome.millis() / 1000.0, outcome.created(), outcome.changed(),
                    outcome.unchanged(), outcome.failures().size()));
            if (!outcome.failures().isEmpty()) {
                List<List<String>> rows = outcome.failures().stream().map(f -> List.of(f.path("tenant").asText(),
                        f.path("status").asText(), f.path("code").asText(), f.path("message").asText())).toList();
                printer.table(List.of("tenant", "status", "code", "message"), rows);
            }
        }
        return outcome.failures().isEmpty() ? ExitCode.OK : ExitCode.SERVER_ERROR;
    }

    /** Placements as a table in the catalog's column order. */
    static void placements(Printer printer, JsonNode placements) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode placement : placements) {
            rows.add(COLUMNS.stream().map(c -> Printer.text(placement.get(c))).toList());
        }
        printer.table(COLUMNS, rows);
    }

    static String placementPath(String tenant) {
        return "/admin/tenants/" + HttpApi.segment(tenant) + "/placement";
    }

    /** {@code --strategy} by wire name. */
    static final class StrategyConverter implements CommandLine.ITypeConverter<ConflictStrategy> {
        @Override
        public ConflictStrategy convert(String value) {
            return ConflictStrategy.fromWire(value);
        }
    }

    /** {@code --write-concern}: {@code local}, {@code majority}, {@code all} or {@code regions=N}. */
    static final class WriteConcernConverter implements CommandLine.ITypeConverter<WriteConcern> {
        @Override
        public WriteConcern convert(String value) {
            return WriteConcern.parse(value);
        }
    }

    /** {@code --mode} by wire name. */
    static final class ModeConverter implements CommandLine.ITypeConverter<ReplicationMode> {
        @Override
        public ReplicationMode convert(String value) {
            return ReplicationMode.fromWire(value);
        }
    }
}
