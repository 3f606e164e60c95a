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
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code region evacuate <region>}: moves the primary of every tenant whose primary is there to another region,
 * through migrations, up to {@code --parallel} at a time (each pauses only its own tenant's writes, briefly), with
 * progress. The target of each tenant is the given one, or among its healthy, running replicas the one that is the
 * primary of the fewest tenants so far, so the region's load spreads. The region stays a replica of its tenants (its
 * copies keep applying): pause it afterwards with {@code region pause} for maintenance. A migration that fails or is
 * refused is reported and the others go on; a migration the controller refuses because a region is at
 * {@code migration.max.per.region} ({@code 429 too_many_migrations}) is sent again once others ended.
 *
 * <p>The concurrency lives here, in the client: the controller already runs every requested migration side by side
 * (each a state machine whose steps are transactions on its duties thread) and bounds how many a region takes part in;
 * what decides how many run is how many are requested, so the client that requests them paces them. A migration
 * that was requested runs to its end on the controller whatever happens to this process: completed, or rolled back.
 * Not thread-safe; one per run (its workers are its own).
 */
final class Evacuation {
    /** {@code --parallel}'s default: a few drains overlap, and each switch waits behind few other transactions. */
    static final int DEFAULT_PARALLEL = 4;
    /** {@code --parallel}'s upper bound; the controller's own, {@code migration.max.per.region}, may be lower. */
    static final int MAX_PARALLEL = 64;
    /** Every how often a progress line is printed while migrations run. */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);
    /**
     * The longest first wait before sending again a migration the controller refused as one too many (it is sent
     * again as soon as one of this run's migrations ends); doubles up to 2 s.
     */
    static final Duration BUSY_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final String TOO_MANY_MIGRATIONS = "too_many_migrations";
    /** The page size when listing every tenant (the API's maximum). */
    private static final int PAGE = 1_000;

    /** One tenant's move. */
    record Move(String tenant, String target, String why) {
    }

    private final HttpApi api;
    private final Printer printer;
    private final PrintWriter err;
    private final Object output = new Object();

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
        List<JsonNode> tenants = placements(api);
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

    /** Every placement the node knows, page after page of {@code GET /admin/tenants}. */
    static List<JsonNode> placements(HttpApi api) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/admin/tenants?limit=" + PAGE + (cursor == null ? ""
                    : "&cursor=" + HttpApi.segment(cursor))).body();
            page.path("tenants").forEach(all::add);
            String next = page.hasNonNull("next") ? page.get("next").asText() : null;
            if (next != null && next.equals(cursor)) {
                throw new CliException(ExitCode.INTERNAL, "invalid_page", "the node answered the same page cursor "
                        + next + " twice; stopping rather than looping");
            }
            cursor = next;
        } while (cursor != null);
        return all;
    }

    /**
     * Runs the moves, up to {@code parallel} migrations at a time; exit 0 when every tenant moved, 4 otherwise.
     *
     * @throws CliException with {@link ExitCode#UNAVAILABLE} when the node became unreachable (after the summary:
     *                      migrations already requested go on on the controller; re-run to move the rest)
     */
    int run(String region, List<Move> moves, Duration perMigration, int parallel) {
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new CliException(ExitCode.USAGE, "invalid_parallel", "--parallel " + parallel + ": use 1 to "
                    + MAX_PARALLEL);
        }
        Tally tally = new Tally(moves.size());
        Queue<Move> queue = new ConcurrentLinkedQueue<>();
        for (Move move : moves) {
            if (move.target() == null) {
                tally.failed(move.tenant());
                report(tally, move, "skipped", move.why(), null);
            } else {
                queue.add(move);
            }
        }
        AtomicReference<CliException> unavailable = new AtomicReference<>();
        int workers = Math.min(parallel, Math.max(1, queue.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, daemon("meridianctl-evacuate-"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("meridianctl-progress-"));
        try {
            if (!printer.json() && !queue.isEmpty()) {
                ticker.scheduleAtFixedRate(() -> progress(tally), PROGRESS_INTERVAL.toMillis(),
                        PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            }
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                running.add(pool.submit(() -> {
                    for (Move move = queue.poll(); move != null; move = queue.poll()) {
                        if (unavailable.get() != null) {
                            tally.failed(move.tenant());
                            report(tally, move, "not sent", "the node became unreachable", null);
                            continue;
                        }
                        try {
                            migrate(tally, move, perMigration);
                        } catch (CliException e) {
                            if (e.exitCode() == ExitCode.UNAVAILABLE) {
                                // The node is gone: send nothing more; the operator re-runs when it is back.
                                unavailable.compareAndSet(null, e);
                            }
                            tally.failed(move.tenant());
                            report(tally, move, "unknown", e.code() + ": " + e.getMessage(), null);
                        }
                    }
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.ABORTED, "interrupted", "evacuation of " + region + " interrupted;"
                    + " migrations already requested run to their end on the controller (completed or rolled back)",
                    e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an evacuation worker failed", e.getCause());
        } finally {
            ticker.shutdownNow();
            pool.shutdownNow();
        }
        summary(region, tally);
        if (unavailable.get() != null) {
            throw unavailable.get();
        }
        return tally.failedTenants().isEmpty() ? ExitCode.OK : ExitCode.MIGRATION_FAILED;
    }

    /** One tenant: request its migration (again while a region is at the controller's bound), follow it to its end. */
    private void migrate(Tally tally, Move move, Duration perMigration) {
        long started = System.nanoTime();
        long deadline = started + perMigration.toNanos();
        JsonNode accepted = null;
        Duration backoff = BUSY_BACKOFF;
        while (accepted == null) {
            try {
                accepted = api.post("/admin/tenants/" + HttpApi.segment(move.tenant()) + "/migrate",
                        Map.of("to_region", move.target(), "dry_run", false)).body();
            } catch (CliException e) {
                if (e.exitCode() != ExitCode.SERVER_ERROR) {
                    throw e;
                }
                if (!TOO_MANY_MIGRATIONS.equals(e.code()) || System.nanoTime() + backoff.toNanos() > deadline) {
                    tally.failed(move.tenant());
                    report(tally, move, "refused", e.code() + ": " + e.getMessage(), null);
                    return;
                }
                tally.busy();
                tally.awaitAnEnd(backoff);  // a slot frees when one of this run's migrations ends
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        String id = MigrateCommand.migrationId(accepted).orElse("");
        long left = Math.max(0, deadline - System.nanoTime());
        Optional<JsonNode> end;
        tally.running(1);
        try {
            end = id.isEmpty() ? Optional.empty() : MigrationPoll.awaitEnd(api, id, Duration.ofNanos(left));
        } finally {
            tally.running(-1);
        }
        String state = end.map(m -> m.path("state").asText()).orElse("still running");
        long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
        if (MigrationState.COMPLETED.wireName().equals(state)) {
            tally.moved();
            report(tally, move, state, "in " + Times.age(took) + pause(end.get()), id);
        } else {
            tally.failed(move.tenant());
            report(tally, move, state, end.map(m -> m.path("reason").asText()).orElse("after "
                    + Times.age(took) + ": meridianctl migrate status " + id), id);
        }
    }

    /** The write pause the controller reports in the completed migration's reason, if it does. */
    private static String pause(JsonNode migration) {
        String reason = migration.path("reason").asText();
        int at = reason.indexOf("writes were paused ");
        return at < 0 ? "" : ", " + reason.substring(at);
    }

    private void report(Tally tally, Move move, String outcome, String detail, String id) {
        synchronized (output) {
            int n = tally.ended();
            if (printer.json()) {
                ObjectNode line = JsonNodeFactory.instance.objectNode();
                line.put("tenant", move.tenant());
                line.put("to", move.target());
                line.put("migrationId", id);
                line.put("outcome", outcome);
                line.put("detail", detail);
                line.put("done", tally.movedCount());
                line.put("failed", tally.failedTenants().size());
                line.put("remaining", tally.total() - n);
                printer.json(line);
            } else {
                printer.line("[" + n + "/" + tally.total() + "] " + move.tenant() + (move.target() == null ? ""
                        : ReplicationCommand.ARROW + move.target()) + "  " + outcome
                        + (detail.isEmpty() ? "" : "  " + detail));
            }
        }
    }

    private void progress(Tally tally) {
        synchronized (output) {
            printer.line("progress: " + tally.describe());
        }
    }

    private void summary(String region, Tally tally) {
        synchronized (output) {
            List<String> failed = tally.failedTenants();
            if (!printer.json()) {
                printer.line("evacuation of " + region + ": " + tally.movedCount() + " of " + tally.total()
                        + " tenant(s) moved" + (failed.isEmpty() ? "" : "; not moved: " + abbreviated(failed))
                        + " (" + tally.rateLine() + ")");
            }
            if (!failed.isEmpty()) {
                err.println("evacuation of " + region + " incomplete: " + failed.size() + " tenant(s) still have"
                        + " their primary there; run it again when the cause is fixed");
                err.flush();
            }
        }
    }

    private static String abbreviated(List<String> tenants) {
        return tenants.size() <= 20 ? tenants.toString()
                : tenants.subList(0, 20) + " and " + (tenants.size() - 20) + " more";
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The run's counts; thread-safe. */
    static final class Tally {
        private final int total;
        private final long startedAt = System.nanoTime();
        private final AtomicInteger moved = new AtomicInteger();
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger busy = new AtomicInteger();
        private final AtomicInteger ended = new AtomicInteger();
        private final List<String> failed = new CopyOnWriteArrayList<>();

        Tally(int total) {
            this.total = total;
        }

        int total() {
            return total;
        }

        void running(int delta) {
            running.addAndGet(delta);
        }

        void busy() {
            busy.incrementAndGet();
        }

        void moved() {
            moved.incrementAndGet();
            endedOne();
        }

        void failed(String tenant) {
            failed.add(tenant);
            endedOne();
        }

        private synchronized void endedOne() {
            notifyAll();
        }

        /** Waits until a migration of this run ends, or at most {@code atMost}. */
        synchronized void awaitAnEnd(Duration atMost) {
            try {
                wait(atMost.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.ABORTED, "interrupted", "interrupted while waiting to send a"
                        + " migration", e);
            }
        }

        /** Counts one more tenant as ended; its number in the order they ended. */
        int ended() {
            return ended.incrementAndGet();
        }

        int movedCount() {
            return moved.get();
        }

        List<String> failedTenants() {
            return List.copyOf(failed);
        }

        String rateLine() {
            double seconds = Math.max(0.001, (System.nanoTime() - startedAt) / 1e9);
            return String.format(Locale.ROOT, "%.2f tenants/s over %s", moved.get() / seconds,
                    Times.age((long) (seconds * 1000)));
        }

        String describe() {
            int done = moved.get();
            int remaining = total - ended.get();
            double seconds = Math.max(0.001, (System.nanoTime() - startedAt) / 1e9);
            double rate = done / seconds;
            return done + " moved, " + failed.size() + " not moved, " + remaining + " remaining (" + running.get()
                    + " running)"
                    + String.format(Locale.ROOT, ", %.2f tenants/s", rate)
                    + (rate > 0 ? ", about " + Times.age((long) (remaining / rate * 1000)) + " left" : "")
                    + (busy.get() > 0 ? ", " + busy.get() + " request(s) sent again after too_many_migrations" : "");
        }
    }
}
