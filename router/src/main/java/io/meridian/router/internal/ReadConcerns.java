package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.serde.Json;
import io.meridian.router.RouterMetrics;
import io.meridian.streams.StoredDocument;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads with {@code X-Meridian-Read-Concern}: the coordinating node (any node; it needs no copy of its own) asks the
 * tenant's caught-up replica regions concurrently for the document ({@link RegionReadApi}; its own region without a
 * network hop) and answers with the freshest copy, the region it came from in {@code X-Meridian-Served-By}, and the
 * regions that did not answer within {@code read.concern.timeout.ms} (or are unhealthy) in
 * {@code X-Meridian-Skipped-Regions}.
 *
 * <p>Freshest means furthest in the tenant's WAL partition: a region's answer counts as fresh as the larger of its
 * applier's offset in that partition (read before the document) and the document's own position. Every region applies
 * the same log, so the furthest region's copy, or its absence (a delete), is the newest any of them holds. Ties go to
 * this region, then to the placement's order.
 *
 * <p>{@code freshest} waits for every asked region (up to the timeout) and needs one answer; {@code regions=N} and
 * {@code majority} answer as soon as that many regions answered, and with {@code 503 read_concern_unavailable} when
 * fewer did in time. Thread-safe.
 */
public final class ReadConcerns {
    private static final Logger LOG = LoggerFactory.getLogger(ReadConcerns.class);

    private final String region;
    private final Map<String, URI> regionUrls;
    private final RegionReadApi local;
    private final HttpClient http;
    private final Duration timeout;
    private final Supplier<HealthSnapshot> health;
    private final Executor executor;
    private final ErrorResponses errors;
    private final RouterMetrics metrics;
    /** The token sent with region reads (data.auth.enabled: they need one); empty: none. */
    private volatile Supplier<String> nodeToken = () -> "";

    /**
     * @param local    this region's answers, without a network hop
     * @param http     the client that asks other regions (no redirects followed)
     * @param timeout  how long a region may take to answer ({@code read.concern.timeout.ms})
     * @param executor where answers are built
     */
    public ReadConcerns(String region, Map<String, URI> regionUrls, RegionReadApi local, HttpClient http,
                        Duration timeout, Supplier<HealthSnapshot> health, Executor executor, ErrorResponses errors,
                        RouterMetrics metrics) {
        this.region = region;
        this.regionUrls = Map.copyOf(regionUrls);
        this.local = local;
        this.http = http;
        this.timeout = timeout;
        this.health = health;
        this.executor = executor;
        this.errors = errors;
        this.metrics = metrics;
    }

    /** One region's answer. {@code freshness} orders answers; {@code document} is null when the region has none. */
    record Answer(String region, boolean holds, long freshness, StoredDocument document) {
    }

    /** The answer to {@code command} under {@code concern}; fails with {@link ApiException} for refusals. */
    public CompletableFuture<Reply> read(ReadCommand command, Placement placement, ReadConcern concern) {
        if (command.preferredRegion() != null || command.minPosition() != null) {
            throw ApiException.of(ErrorCode.INVALID_READ_CONCERN, "X-Meridian-Read-Concern cannot be combined with "
                    + "X-Meridian-Preferred-Region or X-Meridian-Min-Position: the read concern already picks the"
                    + " freshest copy among the replica regions", command.tenant());
        }
        long start = System.nanoTime();
        List<String> caughtUp = placement.replicas().stream().filter(placement::isCaughtUpIn).toList();
        int required = concern.regionsRequired(caughtUp.size());
        if (required > caughtUp.size()) {
            throw ApiException.of(ErrorCode.READ_CONCERN_UNSATISFIABLE, "read concern " + concern + " needs "
                    + required + " regions, but tenant " + command.tenant() + " has " + caughtUp.size()
                    + " caught-up replica regions " + caughtUp + ": ask for at most regions=" + caughtUp.size()
                    + " (or freshest)", command.tenant(),
                    Map.of("readConcern", concern.wireName(), "required", required, "replicas", caughtUp), null);
        }
        HealthSnapshot snapshot = health.get();
        List<String> skipped = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (String replica : caughtUp) {
            (WriteConcerns.unhealthy(snapshot, replica) ? skipped : asked).add(replica);
        }
        Gathering gathering = new Gathering(concern.kind() == ReadConcern.Kind.FRESHEST ? asked.size() : required,
                asked);
        for (String replica : asked) {
            CompletableFuture<Answer> answer = replica.equals(region)
                    ? CompletableFuture.completedFuture(answerOf(local.answer(command.tenant(), command.key())))
                    : ask(replica, command);
            answer.whenComplete((a, error) -> {
                if (error == null && a.region().equals(replica) && a.holds()) {
                    gathering.answered(a);
                } else {
                    LOG.debug("read concern: region {} gave no usable answer tenant={}: {}", replica,
                            command.tenant(), error == null ? "holds no copy" : error.toString());
                    gathering.failed(replica);
                }
            });
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> gathering.finish(true));
        return gathering.result.thenApplyAsync(result -> {
            List<Answer> gathered = result.answers();
            List<String> notAnswered = new ArrayList<>(skipped);
            notAnswered.addAll(result.unanswered());
            boolean enough = gathered.size() >= required;
            metrics.readConcern(concern.wireName(), enough, notAnswered.size(),
                    Duration.ofNanos(System.nanoTime() - start));
            if (!notAnswered.isEmpty()) {
                LOG.info("read concern skipped regions tenant={} key={} concern={} skipped={} answered={}",
                        command.tenant(), command.key(), concern, notAnswered,
                        gathered.stream().map(Answer::region).toList());
            }
            if (!enough) {
                Reply refused = errors.reply(ErrorCode.READ_CONCERN_UNAVAILABLE, "read concern " + concern
                        + " needs answers from " + required + " regions of tenant " + command.tenant() + ", but only "
                        + gathered.stream().map(Answer::region).toList() + " answered within " + timeout.toMillis()
                        + " ms (skipped: " + notAnswered + "): retry, or ask for fewer regions",
                        Map.of("readConcern", concern.wireName(), "required", required,
                                "skippedRegions", notAnswered));
                return withSkipped(refused, notAnswered);
            }
            return withSkipped(reply(command, freshest(gathered, placement)), notAnswered);
        }, executor);
    }

    private Reply reply(ReadCommand command, Answer freshest) {
        StoredDocument document = freshest.document();
        if (document == null) {
            return errors.reply(ErrorCode.DOCUMENT_NOT_FOUND, "tenant " + command.tenant() + " has no document '"
                    + command.key() + "' in its freshest replica region " + freshest.region(),
                    Map.of("servedBy", freshest.region())).withHeader(Headers.SERVED_BY, freshest.region());
        }
        return Reply.json(200, document.value(), Map.of(
                Headers.POSITION, document.position(),
                Headers.EPOCH, Long.toString(document.epoch()),
                Headers.REGION, region,
                Headers.SERVED_BY, freshest.region()));
    }

    private static Reply withSkipped(Reply reply, List<String> skipped) {
        return skipped.isEmpty() ? reply : reply.withHeader(Headers.SKIPPED_REGIONS, String.join(",", skipped));
    }

    /** The freshest answer; ties go to this region, then to the earlier region in the placement. */
    Answer freshest(List<Answer> answers, Placement placement) {
        Answer best = null;
        for (Answer answer : answers) {
            if (best == null || answer.freshness() > best.freshness()
                    || answer.freshness() == best.freshness() && rank(answer, placement) < rank(best, placement)) {
                best = answer;
            }
        }
        return Objects.requireNonNull(best, "no answers");
    }

    private int rank(Answer answer, Placement placement) {
        return answer.region().equals(region) ? -1 : placement.replicas().indexOf(answer.region());
    }

    /** Sends {@code token} (this node's admin token, as it rotates) with every region read from now on. */
    public void authorizeWith(Supplier<String> token) {
        this.nodeToken = token;
    }

    private CompletableFuture<Answer> ask(String replica, ReadCommand command) {
        URI base = regionUrls.get(replica);
        if (base == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no URL configured for region "
                    + replica));
        }
        String path = RegionReadApi.PATH
                .replace("{tenant}", URLEncoder.encode(command.tenant(), StandardCharsets.UTF_8))
                .replace("{key}", URLEncoder.encode(command.key(), StandardCharsets.UTF_8));
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).GET().timeout(timeout);
        String token = nodeToken.get();
        if (token != null && !token.isEmpty()) {
            builder.header(Headers.AUTHORIZATION, "Bearer " + token);
        }
        HttpRequest request = builder.build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + request.uri() + " answered " + response.statusCode());
            }
            return answerOf(Json.readTree(response.body()));
        });
    }

    private static Answer answerOf(Map<String, Object> body) {
        return answerOf(Json.toTree(body));
    }

    private static Answer answerOf(JsonNode body) {
        JsonNode document = body.path("document");
        StoredDocument stored = document.isObject() ? Json.MAPPER.convertValue(document, StoredDocument.class) : null;
        long freshness = body.path("appliedOffset").asLong(-1);
        if (stored != null) {
            freshness = Math.max(freshness, Position.parse(stored.position()).offset());
        }
        return new Answer(body.path("region").asText(""), body.path("holds").asBoolean(false), freshness, stored);
    }

    /** What a read gathered: the answers, and the asked regions that failed or had not answered at the timeout. */
    private record Gathered(List<Answer> answers, List<String> unanswered) {
    }

    /**
     * The answers so far; completes {@link #result} once {@code needed} answered or every asked region ended, or at
     * the timeout (then the regions still awaited count as unanswered).
     */
    private static final class Gathering {
        final CompletableFuture<Gathered> result = new CompletableFuture<>();
        private final int needed;
        private final List<String> waitingFor;
        private final List<String> failed = new ArrayList<>();
        private final List<Answer> answers = new ArrayList<>();

        Gathering(int needed, List<String> asked) {
            this.needed = needed;
            this.waitingFor = new ArrayList<>(asked);
            if (asked.isEmpty()) {
                finish(false);
            }
        }

        void answered(Answer answer) {
            boolean done;
            synchronized (this) {
                answers.add(answer);
                waitingFor.remove(answer.region());
                done = answers.size() >= needed || waitingFor.isEmpty();
            }
            if (done) {
                finish(false);
            }
        }

        void failed(String region) {
            boolean done;
            synchronized (this) {
                failed.add(region);
                waitingFor.remove(region);
                done = waitingFor.isEmpty();
            }
            if (done) {
                finish(false);
            }
        }

        void finish(boolean timedOut) {
            Gathered gathered;
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                List<String> unanswered = new ArrayList<>(failed);
                if (timedOut) {
                    unanswered.addAll(waitingFor);
                }
                gathered = new Gathered(List.copyOf(answers), unanswered);
            }
            result.complete(gathered);
        }
    }
}
