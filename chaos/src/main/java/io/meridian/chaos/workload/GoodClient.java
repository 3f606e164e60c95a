package io.meridian.chaos.workload;

import io.meridian.client.Attempt;
import io.meridian.client.AttemptListener;
import io.meridian.client.Document;
import io.meridian.client.MeridianClient;
import io.meridian.client.MeridianException;
import io.meridian.client.Position;
import io.meridian.client.ReadOptions;
import io.meridian.client.UnavailableException;
import io.meridian.client.WriteOptions;
import io.meridian.client.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The workload's client: Meridian's Java client ({@link MeridianClient}, module {@code client/}), which retries as a
 * good client would: it follows {@code 307} to the {@code Location}, honours {@code Retry-After} on {@code 503},
 * follows {@code 409 placement_changed} to the primary it names, tries another node when one does not answer (first
 * the other nodes of its region, then the next region's), and sends the same {@code Idempotency-Key} on every retry of
 * a write. It gives up after the operation deadline; the outcome is then indeterminate. Reads are pinned to one region
 * ({@link ReadOptions#pinnedTo}): they check what that region holds, so they never follow a redirect.
 *
 * <p>The history keeps what it kept before the client existed: per operation its last answer, the region of the node
 * that gave it and how many requests it took; per answer code every error any request got, retried or not. Both come
 * from the client's {@link AttemptListener}, which is told of every request. Admin requests (the operator's, the
 * run's placements) are not the client's business and go through {@link HttpApi}. Thread-safe.
 */
public final class GoodClient implements AutoCloseable {
    private final HttpApi api;
    /** Every node's URL, by region, the region's URL (its first node's) first. */
    private final Map<String, List<String>> nodeUrls;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final MeridianClient client;

    /**
     * The end of one operation, as its last request saw it.
     *
     * @param status   the last answer's HTTP status, {@link HttpApi#IO_ERROR} when it got none
     * @param code     its error code ({@code io_error} without an answer), or the status as text when it is no error
     * @param position the position answered (a write's, or the document's), empty when none
     * @param value    a read's document id ({@code "?"} when it has none), empty for writes and missing documents
     * @param region   the region of the node that gave the last answer, empty when none of ours
     * @param attempts HTTP requests it took, retries and redirects included
     * @param gaveUp   the operation deadline ran out while the answer still said to retry (indeterminate)
     * @param ioError  what the HTTP client said when the last request got no answer, else empty
     */
    public record Result(int status, String code, String position, String value, String region, int attempts,
                         boolean gaveUp, String ioError) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * @param api      for admin requests; its request timeout is each document request's
     * @param nodeUrls every node's URL by region (in region order: the first is the client's home), the region's URL
     *                 (its first node's) first
     * @param deadline how long one operation may take, retries included
     */
    public GoodClient(HttpApi api, Map<String, List<String>> nodeUrls, Duration deadline) {
        this.api = api;
        this.nodeUrls = Map.copyOf(nodeUrls);
        MeridianClient.Builder builder = MeridianClient.builder().operationTimeout(deadline)
                .requestTimeout(api.requestTimeout().compareTo(deadline) < 0 ? api.requestTimeout() : deadline)
                .connectTimeout(Duration.ofSeconds(2)).attemptListener(this::count);
        nodeUrls.forEach((region, urls) -> builder.region(region, urls.get(0),
                urls.subList(1, urls.size()).toArray(String[]::new)));
        this.client = builder.build();
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

    private void count(Attempt attempt) {
        if (attempt.failed()) {
            errors.computeIfAbsent(status(attempt) + " " + code(attempt), c -> new LongAdder()).increment();
        }
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

    /** PUT of {@code json} with {@code idempotencyKey}, retried until acknowledged, refused for good, or the deadline. */
    public Result write(String tenant, String key, String json, String idempotencyKey) {
        Tally tally = new Tally();
        try {
            WriteResult result = client.putJson(tenant, key, json, WriteOptions.none()
                    .withIdempotencyKey(idempotencyKey).withAttemptListener(tally));
            return tally.result(result.position().toString(), "", false);
        } catch (MeridianException e) {
            return tally.result("", "", e instanceof UnavailableException);
        }
    }

    /**
     * GET in {@code region} (pinned: the region must hold a copy, a redirect is its answer), with {@code minPosition}
     * as the read-your-writes token when not empty; retried on {@code 503} and on no answer (the region's other nodes)
     * until the deadline.
     */
    public Result read(String tenant, String key, String region, String minPosition) {
        Tally tally = new Tally();
        ReadOptions options = ReadOptions.none().pinnedTo(region).withAttemptListener(tally);
        if (!minPosition.isEmpty()) {
            options = options.withMinPosition(Position.parse(minPosition));
        }
        try {
            Optional<Document> document = client.get(tenant, key, options);
            return document.map(d -> tally.result(d.position().toString(), d.value().path("id").asText("?"), false))
                    .orElseGet(() -> tally.result("", "", false));
        } catch (MeridianException e) {
            return tally.result("", "", e instanceof UnavailableException);
        }
    }

    private static int status(Attempt attempt) {
        return attempt.answered() ? attempt.status() : HttpApi.IO_ERROR;
    }

    private static String code(Attempt attempt) {
        if (!attempt.answered()) {
            return "io_error";
        }
        return attempt.code().isEmpty() ? Integer.toString(attempt.status()) : attempt.code();
    }

    @Override
    public void close() {
        client.close();
    }

    /** The attempts of one call: how many, and the last. */
    private static final class Tally implements AttemptListener {
        private int attempts;
        private Attempt last;

        @Override
        public synchronized void attempted(Attempt attempt) {
            attempts++;
            last = attempt;
        }

        synchronized Result result(String position, String value, boolean gaveUp) {
            if (last == null) {  // interrupted before the first request
                return new Result(HttpApi.IO_ERROR, "io_error", "", "", "", 0, true, "no request sent");
            }
            return new Result(status(last), code(last), position, value, last.region() == null ? "" : last.region(),
                    attempts, gaveUp, last.errorText().orElse(""));
        }
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
