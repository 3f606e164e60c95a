package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.topics.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridianctl migrate start|status|list|cancel} over the admin API, and {@code migrate watch}, which follows
 * {@code meridian.migrations} in Kafka.
 */
@Command(name = "migrate", description = "Move tenants between regions.", sortOptions = false)
final class MigrateCommand implements Runnable {
    static final List<String> COLUMNS = List.of("id", "migrationId", "tenant", "state", "from", "fromRegion",
            "to", "toRegion", "reason");
    /** Epoch-millisecond fields of a migration, shown as times for people. */
    static final List<String> TIME_FIELDS = List.of("requestedAt", "updatedAt", "pausedAt", "switchedAt",
            "completedAt");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("start, status, list, cancel or watch");
    }

    @Command(name = "start", sortOptions = false,
            description = {"Migrate a tenant's primary to another region (POST /admin/tenants/{tenant}/migrate).",
                    "With --wait: follow it over HTTP until it ends; exit 0 completed, 4 failed or cancelled."})
    int start(@Parameters(paramLabel = "<tenant>") String tenant,
              @Option(names = "--to", required = true, paramLabel = "REGION", description = "The new primary region.")
              String toRegion,
              @Option(names = "--dry-run", description = "Validate and show the plan; change nothing.")
              boolean dryRun,
              @Option(names = "--wait", description = "Wait until the migration ends, printing each state it reaches.")
              boolean wait,
              @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "PT10M",
                      description = "How long --wait waits (ISO-8601, default ${DEFAULT-VALUE}); then exit 3.")
              java.time.Duration waitTimeout) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("to_region", toRegion);
        body.put("dry_run", dryRun);
        HttpApi.Response response = group.root().api().post("/admin/tenants/" + HttpApi.segment(tenant) + "/migrate", body);
        Printer printer = group.root().printer();
        boolean plan = dryRun || response.status() == 200;
        if (printer.json()) {
            printer.json(response.body());
        } else if (plan) {
            printer.line("plan (dry run, nothing changed) for " + tenant + ReplicationCommand.ARROW + toRegion + ":");
            printer.object(response.body());
        } else {
            printer.line("migration of " + tenant + ReplicationCommand.ARROW + toRegion + " accepted:");
            printer.object(readable(response.body()));
            if (!wait) {
                migrationId(response.body()).ifPresent(id -> printer.note(
                        "follow it with: meridianctl migrate watch " + id));
            }
        }
        if (!wait || plan) {
            return ExitCode.OK;
        }
        String id = migrationId(response.body()).orElseThrow(() -> new CliException(ExitCode.UNAVAILABLE,
                "unexpected_answer", "the node accepted the migration but named no id: cannot wait for it"));
        return MigrationPoll.await(group.root().api(), printer, group.commandLine().getErr(), id, waitTimeout);
    }

    @Command(name = "status", description = "One migration (GET /admin/migrations/{id}).")
    int status(@Parameters(paramLabel = "<migration-id>") String id) {
        show(group.root().api().get(migrationPath(id)).body());
        return ExitCode.OK;
    }

    @Command(name = "list", sortOptions = false, description = {"A tenant's migrations"
            + " (GET /admin/tenants/{tenant}/migrations); without a tenant, every tenant's (GET /admin/tenants first).",
            "--active: only those that have not ended."})
    int list(@Parameters(paramLabel = "<tenant>", arity = "0..1") String tenant,
             @Option(names = "--active", description = "Only migrations that have not ended.") boolean active) {
        if (tenant == null && !active) {
            throw new CommandLine.ParameterException(group.commandLine(),
                    "name a tenant, or list the active migrations of every tenant with --active");
        }
        ArrayNode migrations = JsonNodeFactory.instance.arrayNode();
        List<String> tenants = new ArrayList<>();
        if (tenant != null) {
            tenants.add(tenant);
        } else if (!activeOfEveryTenant(migrations)) {
            // A node without GET /admin/migrations: every tenant's list, page by page.
            String cursor = null;
            do {
                JsonNode page = group.root().api().get("/admin/tenants?limit=1000"
                        + (cursor == null ? "" : "&cursor=" + HttpApi.segment(cursor))).body();
                page.path("tenants").forEach(p -> tenants.add(p.path("tenant").asText()));
                cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
            } while (cursor != null);
        }
        for (String name : tenants) {
            JsonNode body = group.root().api().get("/admin/tenants/" + HttpApi.segment(name) + "/migrations").body();
            JsonNode list = body.isArray() ? body : body.path("migrations");
            for (JsonNode migration : list) {
                if (!active || !MigrationPoll.ended(migration)) {
                    migrations.add(migration);
                }
            }
        }
        Printer printer = group.root().printer();
        if (printer.json()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.set("migrations", migrations);
            printer.json(out);
            return ExitCode.OK;
        }
        if (migrations.isEmpty()) {
            printer.line("no " + (active ? "active " : "") + "migrations" + (tenant == null ? "" : " of " + tenant));
        } else {
            ArrayNode readable = JsonNodeFactory.instance.arrayNode();
            migrations.forEach(m -> readable.add(readable(m)));
            printer.objects(readable, COLUMNS);
        }
        return ExitCode.OK;
    }

    /**
     * Adds every active migration to {@code into}, page by page ({@code GET /admin/migrations?state=active}); false
     * when the node does not have that endpoint (an older version: {@code 404 not_found}).
     */
    private boolean activeOfEveryTenant(ArrayNode into) {
        String cursor = null;
        do {
            JsonNode page;
            try {
                page = group.root().api().get("/admin/migrations?state=active&limit=1000"
                        + (cursor == null ? "" : "&cursor=" + HttpApi.segment(cursor))).body();
            } catch (CliException e) {
                if (cursor == null && e.code().equals("not_found")) {
                    return false;
                }
                throw e;
            }
            page.path("migrations").forEach(into::add);
            cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
        } while (cursor != null);
        return true;
    }

    /** The migration's times for people. */
    static JsonNode readable(JsonNode migration) {
        return Times.readable(migration, TIME_FIELDS);
    }

    @Command(name = "cancel", description = "Cancel a migration before its switch; idempotent"
            + " (POST /admin/migrations/{id}/cancel).")
    int cancel(@Parameters(paramLabel = "<migration-id>") String id) {
        HttpApi.Response response = group.root().api().post(migrationPath(id) + "/cancel", Map.of());
        Printer printer = group.root().printer();
        if (!printer.json()) {
            printer.line("cancel of " + id + (response.status() == 202 ? " requested:" : ":"));
        }
        show(response.body());
        return ExitCode.OK;
    }

    @Command(name = "watch", sortOptions = false,
            description = {"Follow migration events in Kafka (" + "meridian.migrations" + "), with progress while"
                    + " draining; over the node's HTTP API when Kafka cannot be reached from here (or --http).",
                    "With a migration id: exit 0 when it completes, 4 when it fails or is cancelled. Without"
                            + " --from-beginning it starts at the end of the log after asking the node whether the"
                            + " migration already ended."})
    int watch(@Parameters(paramLabel = "<migration-id>", arity = "0..1",
                      description = "Only this migration; exit when it ends.") String id,
              @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's migrations.")
              String tenant,
              @Option(names = "--from-beginning", description = "Replay the whole log first.") boolean fromBeginning,
              @Option(names = "--http", description = "Poll the node's admin API instead of reading Kafka (also"
                      + " when Kafka does not answer from here within 5 s or no bootstrap servers are set).")
              boolean http,
              @Option(names = "--poll-interval", paramLabel = "DURATION",
                      defaultValue = FollowSource.DEFAULT_POLL_INTERVAL,
                      description = "How often to poll the node over HTTP (ISO-8601, default ${DEFAULT-VALUE}).")
              java.time.Duration pollInterval) {
        Printer printer = group.root().printer();
        CommandLine cl = group.commandLine();
        java.time.Duration interval = FollowSource.pollInterval(pollInterval);
        MigrationWatch watch = new MigrationWatch(printer, cl.getErr(), Optional.ofNullable(id),
                Optional.ofNullable(tenant));
        Optional<Tail> kafka = FollowSource.kafka(group.root(), http, List.of(Topics.MIGRATIONS.name()), interval,
                cl.getErr());
        if (kafka.isPresent()) {
            try (Tail tail = kafka.get()) {
                tail.run(List.of(Topics.MIGRATIONS.name()), fromBeginning,
                        () -> fromBeginning || id == null || !alreadyEnded(id, watch), watch);
            }
        } else if (fromBeginning || id == null || !alreadyEnded(id, watch)) {
            new NodeFollow(group.root().api(), cl.getErr(), interval).run(Optional.ofNullable(id),
                    Optional.ofNullable(tenant), true, false, fromBeginning, watch::accept);
        }
        watch.outcome().filter(s -> s != MigrationState.COMPLETED).ifPresent(s -> {
            cl.getErr().println("migration " + id + " ended " + s.wireName());
            cl.getErr().flush();
        });
        return watch.exitCode();
    }

    /**
     * Asks the node for the migration's state, so watching one that ended before the tail started does not wait
     * forever. Best effort: a node that cannot say leaves the tail to find out.
     */
    private boolean alreadyEnded(String id, MigrationWatch watch) {
        JsonNode migration;
        try {
            migration = group.root().api().get(migrationPath(id)).body();
        } catch (CliException e) {
            group.commandLine().getErr().println("note: the node cannot tell the state of " + id + " (" + e.code()
                    + "); watching for its events");
            group.commandLine().getErr().flush();
            return false;
        }
        JsonNode state = ReplicationCommand.first(migration, "state", "migration.state");
        MigrationState current;
        try {
            current = state == null ? null : MigrationState.fromWire(state.asText());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (current == null || !current.isTerminal()) {
            return false;
        }
        watch.ended(current);
        group.root().printer().note("migration " + id + " already ended: " + current.wireName() + " (per the node)");
        return true;
    }

    private void show(JsonNode body) {
        Printer printer = group.root().printer();
        if (printer.json()) {
            printer.json(body);
        } else {
            printer.object(readable(body));
        }
    }

    static Optional<String> migrationId(JsonNode migration) {
        return Optional.ofNullable(ReplicationCommand.first(migration, "id", "migrationId", "migration_id",
                "migration.id", "migration.migrationId")).map(JsonNode::asText);
    }

    static String migrationPath(String id) {
        return "/admin/migrations/" + HttpApi.segment(id);
    }
}
