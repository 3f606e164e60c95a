package io.meridian.chaos.workload;

import io.meridian.chaos.workload.HttpApi.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client that retries as a good one would: it follows {@code 307} to the {@code Location}, honours
 * {@code Retry-After} on {@code 503}, follows {@code 409 placement_changed} to the primary it names, tries another
 * region when a node does not answer, and sends the same {@code Idempotency-Key} on every retry of a write. It gives
 * up after the operation deadline; the outcome is then indeterminate. Thread-safe.
 */
public final class GoodClient {
    private static final Duration IO_BACKOFF = Duration.ofMillis(250);

    private final HttpApi api;
    private final Map<String, String> regionUrls;
    private final List<String> regions;
    private final Duration deadline;
    private final Map<String, String> primaryGuess = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    /** The end of one operation: the last answer, how many requests it took, and the region that gave it. */
    public record Result(Answer answer, int attempts, String region, boolean gaveUp) {
    }

    public GoodClient(HttpApi api, Map<String, String> regionUrls, Duration deadline) {
        this.api = api;
        this.regionUrls = Map.copyOf(regionUrls);
        this.regions = List.copyOf(regionUrls.keySet());
        this.deadline = deadline;
    }

    public HttpApi api() {
        return api;
    }

    /** Every error answer any request got, retried or not, by {@code status code} (redirects are not errors). */
    public Map<String, Long> errorsByCode() {
        Map<String, Long> counts = new TreeMap<>();
        errors.forEach((code, n) -> counts.put(code, n.sum()));
        return counts;
    }

    private Answer count(Answer answer) {
        if (answer.status() >= 400 || answer.status() == HttpApi.IO_ERROR) {
            errors.computeIfAbsent(answer.status() + " " + answer.code(), c -> new LongAdder()).increment();
        }
        return answer;
    }

    public String url(String region) {
        return regionUrls.get(region);
    }

    /** PUT of {@code json} with {@code idempotencyKey}, retried until acknowledged, refused for good, or the deadline. */
    public Result write(String tenant, String key, String json, String idempotencyKey, Random random) {
        String path = "/v1/tenants/" + tenant + "/docs/" + key;
        String region = primaryGuess.getOrDefault(tenant, regions.get(random.nextInt(regions.size())));
        String url = url(region) + path;
        long end = System.nanoTime() + deadline.toNanos();
        int attempts = 0;
        Answer answer;
        while (true) {
            attempts++;
            answer = count(api.send("PUT", url, json, Map.of("Idempotency-Key", idempotencyKey)));
            String code = answer.code();
            if (answer.status() == 201 || answer.status() == 200) {
                primaryGuess.put(tenant, regionOf(url));
                return new Result(answer, attempts, regionOf(url), false);
            }
            Duration wait = Duration.ZERO;
            if (answer.status() == 307 && !answer.location().isEmpty()) {
                url = answer.location();
            } else if (answer.status() == 409 && "placement_changed".equals(code)) {
                String primary = answer.json().path("error").path("primary").asText("");
                url = regionUrls.containsKey(primary) ? url(primary) + path : url;
            } else if (answer.status() == 409 && "write_in_progress".equals(code)) {
                wait = Duration.ofMillis(200);
            } else if (answer.status() == 503) {
                wait = Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds()));
            } else if (answer.status() == HttpApi.IO_ERROR) {
                // The node is down (or paused): any other region redirects to the primary.
                url = url(regions.get(random.nextInt(regions.size()))) + path;
                wait = IO_BACKOFF;
            } else {
                return new Result(answer, attempts, regionOf(url), false);  // a refusal that changes nothing
            }
            if (System.nanoTime() + wait.toNanos() > end || Thread.currentThread().isInterrupted()) {
                return new Result(answer, attempts, regionOf(url), true);
            }
            pause(wait);
        }
    }

    /**
     * GET in {@code region} (not following redirects: the region must hold a copy), with {@code minPosition} as the
     * read-your-writes token when not empty; retried on {@code 503} and I/O errors until the deadline.
     */
    public Result read(String tenant, String key, String region, String minPosition) {
        return read(tenant, key, region, minPosition, deadline);
    }

    /** As {@link #read(String, String, String, String)}, giving up after {@code readDeadline}. */
    public Result read(String tenant, String key, String region, String minPosition, Duration readDeadline) {
        String url = url(region) + "/v1/tenants/" + tenant + "/docs/" + key;
        Map<String, String> headers = minPosition.isEmpty() ? Map.of() : Map.of("X-Meridian-Min-Position", minPosition);
        long end = System.nanoTime() + readDeadline.toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            Answer answer = count(api.send("GET", url, null, headers));
            boolean retry = answer.status() == 503 || answer.status() == HttpApi.IO_ERROR;
            if (!retry) {
                return new Result(answer, attempts, region, false);
            }
            Duration wait = answer.status() == 503 ? Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds()))
                    : IO_BACKOFF;
            if (System.nanoTime() + wait.toNanos() > end || Thread.currentThread().isInterrupted()) {
                return new Result(answer, attempts, region, true);
            }
            pause(wait);
        }
    }

    private String regionOf(String url) {
        for (var entry : regionUrls.entrySet()) {
            if (url.startsWith(entry.getValue())) {
                return entry.getKey();
            }
        }
        return "";
    }

    static void pause(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
