package io.meridian.chaos;

import io.meridian.chaos.workload.HttpApi;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * After the faults healed, waits (bounded) for what must end by itself: every migration the run started must reach
 * {@code completed}, {@code failed} or {@code cancelled}, and no tenant may stay paused. What has not by the deadline
 * counts as unfinished. Used by one thread.
 */
final class Settle {
    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");

    private final HttpApi api;
    private final Map<String, String> urls;
    private final Duration timeout;

    Settle(HttpApi api, Map<String, String> urls, Duration timeout) {
        this.api = api;
        this.urls = urls;
        this.timeout = timeout;
    }

    long unfinishedMigrations(List<String> ids, List<String> examples) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long unfinished = 0;
        for (String id : ids) {
            String state = waitFor("/admin/migrations/" + id, "state", ENDED, deadline);
            if (!ENDED.contains(state)) {
                unfinished++;
                examples.add("unfinished migration " + id + ": state " + state);
            }
        }
        return unfinished;
    }

    long pausedTenants(List<String> tenants, List<String> examples) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long paused = 0;
        for (String tenant : tenants) {
            String writes = waitFor("/admin/tenants/" + tenant + "/placement", "writes", Set.of("active"), deadline);
            if (!"active".equals(writes)) {
                paused++;
                examples.add("tenant " + tenant + " left with writes " + writes);
            }
        }
        return paused;
    }

    /** Polls {@code path} on the nodes in turn until {@code field} is one of {@code wanted}; the last value seen. */
    private String waitFor(String path, String field, Set<String> wanted, long deadline) {
        String seen = "unknown";
        while (true) {
            for (String url : urls.values()) {
                var answer = api.send("GET", url + path, null, Map.of());
                if (answer.ok()) {
                    seen = answer.json().path(field).asText("unknown");
                    if (wanted.contains(seen)) {
                        return seen;
                    }
                    break;
                }
                seen = answer.status() + " " + answer.code();
            }
            if (System.nanoTime() > deadline) {
                return seen;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return seen;
            }
        }
    }
}
