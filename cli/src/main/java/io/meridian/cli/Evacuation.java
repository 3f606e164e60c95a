package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.api.RegionHealthReport;
import io.meridian.infra.model.MigrationState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code region evacuate <region>}: moves the primary of every tenant whose primary is there to another region, one
 * migration at a time (each pauses only its own tenant's writes, briefly), with progress. The target of each tenant is
 * the given one, or among its healthy, running replicas the one that is the primary of the fewest tenants so far, so
 * the region's load spreads. The region stays a replica of its tenants (its copies keep applying): pause it afterwards
 * with {@code region pause} for maintenance. A migration that fails or is refused is reported and the others go on.
 * Not thread-safe; one per run.
 */
final class Evacuation {
    /** One tenant's move. */
    record Move(String tenant, String target, String why) {
    }

    private final HttpApi api;
    private final Printer printer;
    private final PrintWriter err;

    Evacuation(HttpApi api, Printer printer, PrintWriter err) {
        this.api = api;
        this.printer = printer;
        this.err = err;
    }

    /** Which tenant goes where; a move without target says why it cannot move. */
    List<Move> plan(String region, Optional<String> to) {
        Map<String, RegionHealthReport> regions = new LinkedHashMap<>();
        HealthAnswer.regions(api.get(HealthAnswer.PATH).body().path("regions"))
                .forEach(e -> regions.put(e.getKey(), Responses.read(e.getValue(), RegionHealthReport.class)));
        if (!regions.containsKey(region)) {
            throw new CliException(ExitCode.SERVER_ERROR, "region_not_found", "region '" + region + "' is not a"
                    + " region of this deployment; the regions are " + regions.keySet());
        }
        to.filter(t -> !regions.containsKey(t) || t.equals(region)).ifPresent(t -> {
            throw new CliException(ExitCode.USAGE, "invalid_target", "--to " + t + ": use another region of "
                    + regions.keySet());
        });
        JsonNode tenants = api.get("/admin/tenants").body().path("tenants");
        Map<String, Integer> primaries = new LinkedHashMap<>();
        regions.keySet().forEach(r -> primaries.put(r, 0));
        tenants.forEach(p -> primaries.merge(p.path("primary").asText(), 1, Integer::sum));
        List<Move> moves = new ArrayList<>();
        for (JsonNode placement : tenants) {
            if (!region.equals(placement.path("primary").asText())) {
                continue;
            }
            List<String> candidates = new ArrayList<>();
            for (JsonNode replica : placement.path("replicas")) {
                String name = replica.asText();
                RegionHealthReport r = regions.get(name);
                if (!name.equals(region) && r != null && r.healthy() && !r.paused()
                        && to.map(name::equals).orElse(true)) {
                    candidates.add(name);
                }
            }
            String tenant = placement.path("tenant").asText();
            if (candidates.isEmpty()) {
                moves.add(new Move(tenant, null, to.map(t -> t + " is not a healthy, running replica of it")
                        .orElse("no healthy, running replica to move to")));
                continue;
            }
            String target = candidates.stream().min(Comparator.comparingInt(primaries::get)).orElseThrow();
            primaries.merge(target, 1, Integer::sum);
            moves.add(new Move(tenant, target, ""));
        }
        return moves;
    }

    /** Runs the moves one after the other; exit 0 when every tenant moved, 4 otherwise. */
    int run(String region, List<Move> moves, Duration perMigration) {
        int moved = 0;
        List<String> failed = new ArrayList<>();
        int n = 0;
        for (Move move : moves) {
            n++;
            String step = "[" + n + "/" + moves.size() + "] " + move.tenant();
            if (move.target() == null) {
                failed.add(move.tenant());
                report(step, move, "skipped", move.why(), null);
                continue;
            }
            long started = System.nanoTime();
            JsonNode accepted;
            try {
                accepted = api.post("/admin/tenants/" + HttpApi.segment(move.tenant()) + "/migrate",
                        Map.of("to_region", move.target(), "dry_run", false)).body();
            } catch (CliException e) {
                if (e.exitCode() != ExitCode.SERVER_ERROR) {
                    throw e;  // the node is gone: stop, the operator re-runs when it is back
                }
                failed.add(move.tenant());
                report(step, move, "refused", e.code() + ": " + e.getMessage(), null);
                continue;
            }
            String id = MigrateCommand.migrationId(accepted).orElse("");
            Optional<JsonNode> end = id.isEmpty() ? Optional.empty() : MigrationPoll.awaitEnd(api, id, perMigration);
            String state = end.map(m -> m.path("state").asText()).orElse("still running");
            long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
            if (MigrationState.COMPLETED.wireName().equals(state)) {
                moved++;
                report(step, move, state, "in " + Times.age(took), id);
            } else {
                failed.add(move.tenant());
                report(step, move, state, end.map(m -> m.path("reason").asText()).orElse("after "
                        + Times.age(took) + ": meridianctl migrate status " + id), id);
            }
        }
        if (!printer.json()) {
            printer.line("evacuation of " + region + ": " + moved + " of " + moves.size() + " tenant(s) moved"
                    + (failed.isEmpty() ? "" : "; not moved: " + failed));
        }
        if (!failed.isEmpty()) {
            err.println("evacuation of " + region + " incomplete: " + failed.size() + " tenant(s) still have their"
                    + " primary there; run it again when the cause is fixed");
            err.flush();
        }
        return failed.isEmpty() ? ExitCode.OK : ExitCode.MIGRATION_FAILED;
    }

    private void report(String step, Move move, String outcome, String detail, String id) {
        if (printer.json()) {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("tenant", move.tenant());
            line.put("to", move.target());
            line.put("migrationId", id);
            line.put("outcome", outcome);
            line.put("detail", detail);
            printer.json(line);
        } else {
            printer.line(step + (move.target() == null ? "" : ReplicationCommand.ARROW + move.target()) + "  "
                    + outcome + (detail.isEmpty() ? "" : "  " + detail));
        }
    }
}
