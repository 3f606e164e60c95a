package io.meridian.bench;

import io.meridian.infra.model.MigrationState;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One migration of a tenant's primary: {@code POST /admin/tenants/{t}/migrate}, then {@code GET /admin/migrations/{id}}
 * until it ends, then its lifecycle timestamps from {@code meridian.migrations}. A refusal the controller may lift
 * soon ({@code 503}, or {@code 409} while the previous migration winds down) is retried for a minute.
 */
final class MigrationTrial {
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration START_RETRY = Duration.ofMinutes(1);
    private static final Set<String> ENDS = Set.of("completed", "failed", "cancelled");

    /**
     * @param pauseMs    writes paused to switched (controller timestamps)
     * @param totalMs    requested to the end (controller timestamps)
     * @param validateMs requested to writes paused
     * @param clientMs   from sending the request to reading the end through the API
     * @param seenBy     how the controller saw the drain end ({@link MigrationEvents.Times#drainSeenBy})
     * @param askedMs    into the pause when the target was asked ({@link MigrationEvents.Times#askedMs})
     * @param answeredMs from then to the target's answer ({@link MigrationEvents.Times#answeredMs})
     */
    record Result(String id, String from, String to, String state, double pauseMs, double totalMs, double validateMs,
                  double clientMs, String seenBy, double askedMs, double answeredMs, double load) {
        boolean completed() {
            return "completed".equals(state);
        }
    }

    private MigrationTrial() {
    }

    static Result run(BenchDeployment deployment, MigrationEvents events, String tenant, String from, String to,
                      Duration timeout) {
        NodeApi api = deployment.api();
        String node = deployment.url(to);
        String body = "{\"to_region\":\"" + to + "\"}";
        long started = System.nanoTime();
        long deadline = started + START_RETRY.toNanos();
        NodeApi.Answer answer;
        String id;
        while (true) {
            answer = api.admin("POST", node, "/admin/tenants/" + tenant + "/migrate", body).orElse(null);
            if (answer != null && answer.ok()) {
                id = NodeApi.text(answer.json(), "id", "migrationId", "migration.id");
                break;
            }
            String active = answer == null || answer.status() != 409 ? null
                    : NodeApi.text(answer.json(), "error.migrationId", "error.details.migrationId");
            if (active != null) {
                // Only this bench migrates the tenant, and each run waits for the previous one's end: an active
                // migration is this run's own, started by a request whose answer was lost (timed out).
                Progress.line("  the controller already runs migration %s of %s: following it", active, tenant);
                id = active;
                break;
            }
            boolean retriable = answer == null || answer.status() == 503 || answer.status() == 409;
            if (!retriable || System.nanoTime() > deadline) {
                String why = answer == null ? "no answer" : answer.status() + " " + answer.body();
                Progress.line("  migration of %s to %s not started: %s", tenant, to, why);
                return new Result("-", from, to, "not started", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        "-", Double.NaN, Double.NaN, Summary.loadAverage());
            }
            NodeApi.pause(Duration.ofMillis(250));
        }
        String state = answer.ok() ? NodeApi.text(answer.json(), "state", "migration.state") : "requested";
        long end = started + timeout.toNanos();
        while (!ENDS.contains(state) && System.nanoTime() < end) {
            NodeApi.pause(POLL);
            state = api.get(node, "/admin/migrations/" + id).filter(NodeApi.Answer::ok)
                    .map(a -> NodeApi.text(a.json(), "state", "migration.state")).orElse(state);
        }
        double clientMs = (System.nanoTime() - started) / 1e6;
        Optional<MigrationEvents.Times> times = events.awaitEnd(id, Duration.ofSeconds(30));
        Result result = new Result(id, from, to, times.map(t -> t.end).map(MigrationState::wireName).orElse(state),
                times.map(MigrationEvents.Times::pauseMs).orElse(Double.NaN),
                times.map(MigrationEvents.Times::totalMs).orElse(Double.NaN),
                times.map(MigrationEvents.Times::validateMs).orElse(Double.NaN), clientMs,
                times.map(t -> t.drainSeenBy).orElse("-"), times.map(t -> t.askedMs).orElse(Double.NaN),
                times.map(t -> t.answeredMs).orElse(Double.NaN), Summary.loadAverage());
        Progress.line("  migration %s %s -> %s: %s; writes paused %s ms (drain seen by %s), total %s ms (client saw"
                        + " %s ms); load %.1f", id, from, to, result.state(), Summary.millis(result.pauseMs()),
                result.seenBy(), Summary.millis(result.totalMs()), Summary.millis(clientMs), result.load());
        return result;
    }
}
