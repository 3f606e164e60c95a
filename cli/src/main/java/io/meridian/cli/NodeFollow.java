package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.serde.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Follows migrations (and, for {@code events tail}, placements) over a node's admin API, for an operator whose
 * machine cannot reach Kafka ({@link FollowSource}). Every {@code interval} it asks the node ({@code GET
 * /admin/migrations/{id}}, {@code GET /admin/tenants/{tenant}/migrations}, or every page of {@code GET
 * /admin/migrations?state=active} and then each migration that left that list) and turns each change it sees into
 * the event Kafka carries ({@code requested}, {@code state_changed}, {@code cancel_requested}, {@code progress}), so
 * the lines printed are the Kafka path's. Placements: every page of {@code GET /admin/tenants} every
 * {@value #PLACEMENT_SWEEP_FACTOR} intervals, a line per tenant whose placement changed, a tombstone per tenant gone.
 *
 * <p>What polling cannot show: a state a migration passed through between two polls, the controller epoch (0), the
 * target's applied offset (-1), who asked once the migration is past {@code requested} ({@code ?}), failback events
 * and the other topics. A migration already known when the watch starts is shown by its request and current state;
 * ended ones only with {@code fromBeginning}.
 *
 * <p>Not thread-safe: {@link #run} on one thread; interrupting that thread ends it. A node that stops answering after
 * the first poll is retried for {@link #OUTAGE_LIMIT}, with one warning on stderr.
 */
final class NodeFollow {
    static final int PLACEMENT_SWEEP_FACTOR = 5;
    static final Duration OUTAGE_LIMIT = Duration.ofSeconds(60);
    /** {@code requestedBy} of a request event made after the migration's own {@code requested by} reason was gone. */
    static final String UNKNOWN = "?";

    /** Gets what changed, in time order; each answers whether to go on. */
    interface Sink {
        boolean migration(MigrationEvent event);

        /** A tenant's placement as the node lists it, or {@code null}: the tenant is gone. */
        default boolean placement(String tenant, JsonNode placement, long observedAt) {
            return true;
        }
    }

    private final HttpApi api;
    private final PrintWriter err;
    private final Duration interval;
    /** Migration id → the node's last answer for it. */
    private final Map<String, JsonNode> migrations = new HashMap<>();
    /** Tenant → its placement's epoch and a hash of its JSON: 100,000 tenants in a few MiB. */
    private Map<String, Long> placements;
    /** {@link System#nanoTime} of the first failed poll of an outage, 0 while the node answers. */
    private long failingSince;

    NodeFollow(HttpApi api, PrintWriter err, Duration interval) {
        this.api = Objects.requireNonNull(api, "api");
        this.err = Objects.requireNonNull(err, "err");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    /**
     * Polls until {@code sink} answers false, the thread is interrupted, or the node has not answered for
     * {@link #OUTAGE_LIMIT} (then the last {@link CliException}).
     *
     * @param migrationId   only this migration
     * @param tenant        only this tenant's migrations
     * @param followMigrations whether to follow migrations at all (events tail without the migrations topic: no)
     * @param followPlacements whether to follow placements
     * @param fromBeginning also what ended before the watch began (a tenant's or one migration's; of every tenant,
     *                      the node lists only active migrations)
     */
    void run(Optional<String> migrationId, Optional<String> tenant, boolean followMigrations, boolean followPlacements,
             boolean fromBeginning, Sink sink) {
        boolean first = true;
        long nextSweep = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (followMigrations) {
                    List<MigrationEvent> events = pollMigrations(migrationId, tenant, first, fromBeginning);
                    answered();
                    for (MigrationEvent event : events) {
                        if (!sink.migration(event)) {
                            return;
                        }
                    }
                }
                if (followPlacements && System.nanoTime() - nextSweep >= 0) {
                    nextSweep = System.nanoTime() + interval.toNanos() * PLACEMENT_SWEEP_FACTOR;
                    if (!sweepPlacements(fromBeginning, sink)) {
                        return;
                    }
                }
                first = false;
            } catch (CliException e) {
                if (first || e.exitCode() != ExitCode.UNAVAILABLE || e.code().equals("interrupted")) {
                    throw e;
                }
                if (failingSince == 0) {
                    failingSince = System.nanoTime();
                    err.println("warning: " + e.code() + ": " + e.getMessage() + "; retrying for up to "
                            + OUTAGE_LIMIT.toSeconds() + " s");
                    err.flush();
                } else if (System.nanoTime() - failingSince > OUTAGE_LIMIT.toNanos()) {
                    throw e;
                }
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();  // Ctrl-C or the caller: end quietly, flag kept
            }
        }
    }

    /** The node answered: says so once if it had stopped. */
    private void answered() {
        if (failingSince != 0) {
            failingSince = 0;
            err.println("note: the node at " + api.baseUrl() + " answers again");
            err.flush();
        }
    }

    private List<MigrationEvent> pollMigrations(Optional<String> migrationId, Optional<String> tenant, boolean first,
                                                boolean fromBeginning) {
        List<JsonNode> current = new ArrayList<>();
        if (migrationId.isPresent()) {
            current.add(api.get(MigrateCommand.migrationPath(migrationId.get())).body());
        } else if (tenant.isPresent()) {
            JsonNode body = api.get("/admin/tenants/" + HttpApi.segment(tenant.get()) + "/migrations").body();
            (body.isArray() ? body : body.path("migrations")).forEach(current::add);
        } else {
            Map<String, JsonNode> active = new LinkedHashMap<>();
            api.getAllPages("/admin/migrations?state=active", "migrations").body().path("migrations")
                    .forEach(m -> active.put(m.path("id").asText(), m));
            current.addAll(active.values());
            for (String gone : new ArrayList<>(migrations.keySet())) {
                if (!active.containsKey(gone)) {  // it ended since the last poll: how?
                    try {
                        current.add(api.get(MigrateCommand.migrationPath(gone)).body());
                    } catch (CliException e) {
                        if (!e.code().equals("migration_not_found")) {
                            throw e;
                        }
                        migrations.remove(gone);
                    }
                }
            }
        }
        List<MigrationEvent> events = new ArrayList<>();
        for (JsonNode now : current) {
            String id = now.path("id").asText();
            Optional<MigrationState> state = state(now);
            if (id.isEmpty() || state.isEmpty()) {
                continue;  // not a migration this version can read
            }
            JsonNode before = migrations.get(id);
            // Ended before the watch began: history, shown with fromBeginning (one watched migration: always).
            boolean history = first && !fromBeginning && migrationId.isEmpty() && state.get().isTerminal();
            if (before == null && !history) {
                events.addAll(announce(now));
            } else if (before != null) {
                events.addAll(changes(before, now));
            }
            if (state.get().isTerminal() && migrationId.isEmpty() && tenant.isEmpty()) {
                migrations.remove(id);  // every tenant's: keep only the active ones
            } else {
                migrations.put(id, now);
            }
        }
        events.sort(Comparator.comparingLong(MigrationEvent::timestamp));  // stable: one migration's stay in order
        return events;
    }

    /** A migration seen for the first time: its request, then how it stands. */
    static List<MigrationEvent> announce(JsonNode migration) {
        List<MigrationEvent> events = new ArrayList<>();
        String reason = migration.path("reason").asText();
        try {
            events.add(new MigrationEvent.Requested(migration.path("id").asText(), migration.path("tenant").asText(),
                    migration.path("fromRegion").asText(), migration.path("toRegion").asText(),
                    Math.max(1, migration.path("timeoutMs").asLong()), reason.startsWith("requested by ")
                    ? reason.substring("requested by ".length()) : UNKNOWN,
                    migration.path("requestedAt").asLong(System.currentTimeMillis())));
        } catch (IllegalArgumentException e) {
            // a field this version cannot read: the state lines below still say how it stands
        }
        Map<String, Object> requested = new LinkedHashMap<>();
        requested.put("state", MigrationState.REQUESTED.wireName());
        requested.put("cancelRequested", false);
        requested.put("remainingEntries", -1);
        requested.put("entriesPerSecond", 0.0);
        events.addAll(changes(Json.toTree(requested), migration));
        return events;
    }

    /** The events that take a migration from the node's answer {@code before} to {@code now}. */
    static List<MigrationEvent> changes(JsonNode before, JsonNode now) {
        List<MigrationEvent> events = new ArrayList<>();
        Optional<MigrationState> state = state(now);
        if (state.isEmpty()) {
            return events;
        }
        String id = now.path("id").asText();
        String tenant = now.path("tenant").asText();
        long at = now.path("updatedAt").asLong(0) > 0 ? now.get("updatedAt").asLong() : System.currentTimeMillis();
        if (!before.path("cancelRequested").asBoolean() && now.path("cancelRequested").asBoolean()) {
            events.add(new MigrationEvent.CancelRequested(id, tenant, UNKNOWN, at));
        }
        if (!state.equals(state(before))) {
            events.add(new MigrationEvent.StateChanged(id, tenant, state.get(), now.path("placementEpoch").asLong(),
                    state.get() == MigrationState.WRITES_PAUSED ? now.path("pauseFence").asText() : "", 0,
                    now.path("reason").asText(), at));
        }
        long remaining = now.path("remainingEntries").asLong(-1);
        if (state.get() == MigrationState.DRAINING && remaining >= 0
                && (remaining != before.path("remainingEntries").asLong(-1)
                || now.path("entriesPerSecond").asDouble() != before.path("entriesPerSecond").asDouble())) {
            events.add(new MigrationEvent.Progress(id, tenant, now.path("pauseFence").asText(), -1, remaining,
                    now.path("entriesPerSecond").asDouble(), 0, at));
        }
        return events;
    }

    private static Optional<MigrationState> state(JsonNode migration) {
        try {
            return Optional.of(MigrationState.fromWire(migration.path("state").asText()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** One sweep of every page of placements; false when the sink had enough. */
    private boolean sweepPlacements(boolean fromBeginning, Sink sink) {
        long at = System.currentTimeMillis();
        boolean first = placements == null;
        Map<String, Long> now = new HashMap<>();
        boolean[] more = {true};
        api.forEachPage("/admin/tenants", "tenants", placement -> {
            answered();
            String tenant = placement.path("tenant").asText();
            long version = (placement.path("epoch").asLong() << 32)
                    | (Json.writeString(placement).hashCode() & 0xffffffffL);
            now.put(tenant, version);
            boolean changed = first ? fromBeginning : !Long.valueOf(version).equals(placements.get(tenant));
            if (more[0] && changed) {
                more[0] = sink.placement(tenant, placement, at);
            }
        });
        if (!more[0]) {
            return false;
        }
        if (!first) {
            for (String tenant : placements.keySet()) {
                if (!now.containsKey(tenant) && !sink.placement(tenant, null, at)) {
                    return false;
                }
            }
        }
        placements = now;
        return true;
    }
}
