package io.meridian.chaos.workload;

import io.meridian.chaos.workload.HttpApi.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client that retries as a good one would: it follows {@code 307} to the {@code Location}, honours
 * {@code Retry-After} on {@code 503}, follows {@code 409 placement_changed} to the primary it names, tries another
 * node when one does not answer (first the other nodes of its region at once, as a load balancer in front of them
 * would; then, a little later, any region's), and sends the same {@code Idempotency-Key} on every retry of a write.
 * It gives up after the operation deadline; the outcome is then indeterminate. Thread-safe.
 */
public final class GoodClient {
    private static final Duration IO_BACKOFF = Duration.ofMillis(250);

    private final HttpApi api;
    /** Every node's URL, by region, the region's URL (its first node's) first. */
    private final Map<String, List<String>> nodeUrls;
    private final List<String> regions;
    private final Duration deadline;
    private final Map<String, String> primaryGuess = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    /** The end of one operation: the last answer, how many requests it took, and the region that gave it. */
    public record Result(Answer answer, int attempts, String region, boolean gaveUp) {
    }

    /** @param nodeUrls every node's URL by region (in region order), the region's URL (its first node's) first */
    public GoodClient(HttpApi api, Map<String, List<String>> nodeUrls, Duration deadline) {
        this.api = api;
        this.nodeUrls = Map.copyOf(nodeUrls);
        this.regions = List.copyOf(nodeUrls.keySet());
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

    /** The region's URL: its first node's. */
    public String url(String region) {
        return nodeUrls.get(region).get(0);
    }

    /** A node of {@code region}: the only one, or one drawn from {@code random} (which a one-node region leaves be). */
    public String nodeUrl(String region, Random random) {
        List<String> nodes = nodeUrls.get(region);
        return nodes.size() == 1 ? nodes.get(0) : nodes.get(random.nextInt(nodes.size()));
    }

    /**
     * After {@code failedInRow} consecutive requests of one operation got no answer, the last one {@code url} (a node
     * URL with a path): the same path on the next node of that region while not all of its nodes failed in a row,
     * else {@code null} (the region's nodes are all down, or {@code url} is none of ours).
     */
    String siblingOf(String url, int failedInRow) {
        String base = nodeOf(url);
        String region = regionOf(url);
        if (base.isEmpty() || failedInRow >= nodeUrls.get(region).size()) {
            return null;
        }
        List<String> nodes = nodeUrls.get(region);
        return nodes.get((nodes.indexOf(base) + 1) % nodes.size()) + url.substring(base.length());
    }

    /** PUT of {@code json} with {@code idempotencyKey}, retried until acknowledged, refused for good, or the deadline. */
    public Result write(String tenant, String key, String json, String idempotencyKey, Random random) {
        String path = "/v1/tenants/" + tenant + "/docs/" + key;
        String region = primaryGuess.getOrDefault(tenant, regions.get(random.nextInt(regions.size())));
        String url = nodeUrl(region, random) + path;
        long end = System.nanoTime() + deadline.toNanos();
        int attempts = 0;
        int unanswered = 0;
        Answer answer;
        while (true) {
            attempts++;
            answer = count(api.send("PUT", url, json, Map.of("Idempotency-Key", idempotencyKey)));
            unanswered = answer.status() == HttpApi.IO_ERROR ? unanswered + 1 : 0;
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
                url = nodeUrls.containsKey(primary) ? url(primary) + path : url;
            } else if (answer.status() == 409 && "write_in_progress".equals(code)) {
                wait = Duration.ofMillis(200);
            } else if (answer.status() == 503) {
                wait = Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds()));
            } else if (answer.status() == HttpApi.IO_ERROR) {
                String sibling = siblingOf(url, unanswered);
                if (sibling != null) {
                    url = sibling;  // another node of the region, at once (a load balancer's retry)
                } else {
                    // The region's nodes are down (or paused): any other region redirects to the primary.
                    url = nodeUrl(regions.get(random.nextInt(regions.size())), random) + path;
                    wait = IO_BACKOFF;
                    unanswered = 0;
                }
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
        String url = nodeUrl(region, ThreadLocalRandom.current()) + "/v1/tenants/" + tenant + "/docs/" + key;
        Map<String, String> headers = minPosition.isEmpty() ? Map.of() : Map.of("X-Meridian-Min-Position", minPosition);
        long end = System.nanoTime() + readDeadline.toNanos();
        int attempts = 0;
        int unanswered = 0;
        while (true) {
            attempts++;
            Answer answer = count(api.send("GET", url, null, headers));
            boolean retry = answer.status() == 503 || answer.status() == HttpApi.IO_ERROR;
            if (!retry) {
                return new Result(answer, attempts, region, false);
            }
            Duration wait = Duration.ofSeconds(Math.max(1, answer.retryAfterSeconds()));
            if (answer.status() == HttpApi.IO_ERROR) {
                // Another node of the region at once while one is untried, else the same ones again a little later.
                String sibling = siblingOf(url, ++unanswered);
                wait = sibling == null ? IO_BACKOFF : Duration.ZERO;
                url = sibling == null ? url : sibling;
                unanswered = sibling == null ? 0 : unanswered;
            } else {
                unanswered = 0;
            }
            if (System.nanoTime() + wait.toNanos() > end || Thread.currentThread().isInterrupted()) {
                return new Result(answer, attempts, region, true);
            }
            pause(wait);
        }
    }

    private String regionOf(String url) {
        String node = nodeOf(url);
        for (var entry : nodeUrls.entrySet()) {
            if (entry.getValue().contains(node)) {
                return entry.getKey();
            }
        }
        return "";
    }

    /** The node URL {@code url} starts with (then {@code /} or its end), or empty for none of ours. */
    private String nodeOf(String url) {
        for (List<String> nodes : nodeUrls.values()) {
            for (String node : nodes) {
                if (url.equals(node) || url.startsWith(node + "/")) {
                    return node;
                }
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
