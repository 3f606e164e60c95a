package io.meridian.router;

import io.meridian.infra.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter of the router, declared once: names (lower-case, dotted, base units), descriptions and tag keys.
 * Tag values are bounded: route templates, HTTP methods, status codes and the enums below. A tenant id is never a
 * tag. Dashboards and alert rules use exactly these names. Thread-safe.
 */
public final class RouterMetrics {
    /**
     * Timer with the {@link #LATENCY_BUCKETS} histogram: every HTTP request, tagged by {@link #TAG_ROUTE},
     * {@link #TAG_METHOD}, {@link #TAG_STATUS}. (All routes or none: Prometheus takes one type per name.)
     */
    public static final String HTTP_REQUESTS = "meridian.http.requests";
    /** Counter: 307 answers, tagged by {@link #TAG_REASON} ({@link RedirectReason}). */
    public static final String REDIRECTS = "meridian.router.redirects";
    /**
     * Timer with the {@link #LATENCY_BUCKETS} histogram: writes from the request to the answer, tagged by
     * {@link #TAG_OUTCOME} and {@link #TAG_OP}.
     */
    public static final String WRITES = "meridian.router.writes";
    /** Counter: placement cache look-ups, tagged by {@link #TAG_RESULT} = hit | miss. */
    public static final String PLACEMENT_CACHE_GETS = "meridian.placement.cache.gets";
    /** Counter: placements dropped from the cache, tagged by {@link #TAG_CAUSE} (Caffeine's removal cause). */
    public static final String PLACEMENT_CACHE_EVICTIONS = "meridian.placement.cache.evictions";
    /** Gauge: placements in the cache. */
    public static final String PLACEMENT_CACHE_SIZE = "meridian.placement.cache.size";
    /**
     * Counter: admin requests that run on the controller (mutations, and the migration endpoints) which this node did
     * not serve itself because it is not the controller, tagged by {@link #TAG_OUTCOME} ({@link ForwardOutcome}).
     */
    public static final String FORWARDS = "meridian.router.forwards";
    /**
     * Counter: migration admin requests this node executed (as the controller; forwarded ones count in
     * {@link #FORWARDS} on the forwarding node), tagged by {@link #TAG_OP} ({@link MigrationOp}) and
     * {@link #TAG_OUTCOME} ({@link MigrationOutcome}).
     */
    public static final String MIGRATION_REQUESTS = "meridian.router.migration.requests";
    /**
     * Timer with a histogram: how long writes with a write concern other than {@code local} waited, after this region
     * accepted them, for the other regions, tagged by {@link #TAG_CONCERN} and {@link #TAG_OUTCOME} =
     * {@code satisfied | timeout}.
     */
    public static final String WRITE_CONCERN_WAIT = "meridian.router.write.concern.wait";
    /** Counter: writes answered {@code 503 write_concern_timeout}, tagged by {@link #TAG_CONCERN}. */
    public static final String WRITE_CONCERN_TIMEOUTS = "meridian.router.write.concern.timeouts";
    /**
     * Timer with a histogram: reads with {@code X-Meridian-Read-Concern}, from the request to the answer, tagged by
     * {@link #TAG_CONCERN} and {@link #TAG_OUTCOME} = {@code served | unavailable}.
     */
    public static final String READ_CONCERN_READS = "meridian.router.read.concern.reads";
    /** Counter: regions a read with a read concern skipped because they did not answer in time (or could not). */
    public static final String READ_CONCERN_SKIPPED = "meridian.router.read.concern.skipped";
    /**
     * Counter: data requests (documents, applied positions) this node did not serve itself because another node of
     * its region owns the tenant's WAL partition, tagged by {@link #TAG_OUTCOME} ({@link OwnerForwardOutcome}).
     */
    public static final String OWNER_FORWARDS = "meridian.router.owner.forwards";
    /**
     * Gauge, seconds: how long ago Kafka acknowledged the oldest record this node wrote that its applier has not read
     * yet, the longest over the node's WAL partitions. Above {@code write.shed.after.ms} on a partition,
     * its writes are refused ({@code 503 applier_behind}).
     */
    public static final String APPLIER_DELAY = MetricNames.ROUTER_APPLIER_DELAY;

    public static final String TAG_ROUTE = "route";
    public static final String TAG_METHOD = "method";
    public static final String TAG_STATUS = "status";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_OP = "op";
    public static final String TAG_RESULT = "result";
    public static final String TAG_CAUSE = "cause";
    /** The concern's wire name: {@code majority}, {@code all}, {@code regions=N} (N at most the region count). */
    public static final String TAG_CONCERN = "concern";

    /**
     * The bucket bounds of the write and read latency histograms ({@code _bucket} series, for
     * {@code histogram_quantile}): a fixed list instead of Micrometer's percentile histogram, so each timer adds 14
     * series whatever its range (Micrometer's default buckets between 1 ms and 30 s are over 40).
     */
    public static final List<Duration> LATENCY_BUCKETS = List.of(Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));

    /**
     * Counter: data requests answered {@code 429 rate_limited}, tagged by {@link #TAG_SCOPE} = {@code tenant} (the
     * tenant's limit) | {@code client} (the client's).
     */
    public static final String RATE_LIMITED = "meridian.router.rate.limited";
    public static final String TAG_SCOPE = "scope";

    /**
     * Counter: requests refused by authentication or authorization, tagged by {@link #TAG_API} = {@code data} (the
     * document API, {@code data.auth.enabled}) | {@code admin}, and {@link #TAG_REASON} ({@link AuthRejection}).
     */
    public static final String AUTH_REJECTIONS = "meridian.router.auth.rejections";
    public static final String TAG_API = "api";
    /**
     * Gauge: data API keys this node knows, tagged by {@link #TAG_SOURCE} = {@code file} ({@code data.api.keys.file})
     * | {@code admin} (created through the admin API, {@code meridian.api-keys}).
     */
    public static final String API_KEYS = "meridian.router.api.keys";
    public static final String TAG_SOURCE = "source";

    /** The route tag of requests no route matched, so unknown paths cannot blow up the tag space. */
    public static final String UNMATCHED_ROUTE = "unmatched";

    /** All meter names, for the test that checks that dashboards and alerts refer to existing meters. */
    public static final List<String> NAMES = List.of(HTTP_REQUESTS, REDIRECTS, WRITES, PLACEMENT_CACHE_GETS,
            PLACEMENT_CACHE_EVICTIONS, PLACEMENT_CACHE_SIZE, FORWARDS, MIGRATION_REQUESTS, WRITE_CONCERN_WAIT,
            WRITE_CONCERN_TIMEOUTS, READ_CONCERN_READS, READ_CONCERN_SKIPPED, OWNER_FORWARDS, APPLIER_DELAY,
            RATE_LIMITED, AUTH_REJECTIONS, API_KEYS);

    /** Why a request was redirected. */
    public enum RedirectReason {
        /** A write reached a region that does not accept the tenant's writes. */
        NOT_PRIMARY,
        /** A read reached a region that holds no copy of the tenant. */
        NOT_REPLICA,
        /** A read asked for another replica region with {@code X-Meridian-Preferred-Region}. */
        PREFERRED_REGION,
        /** A read reached a region whose replication is paused and asked to be redirected then (X-Meridian-If-Paused). */
        PAUSED_REGION,
        /** The region is still syncing the tenant from a snapshot (full sync, re-seed): served by a caught-up one. */
        SYNCING;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a write ended. */
    public enum WriteOutcome {
        ACCEPTED,
        PLACEMENT_CHANGED,
        PAUSED,
        TIMEOUT,
        KAFKA_UNAVAILABLE,
        /** Refused because this node lost contact with its coordination service ({@code 503 coordination_lost}). */
        COORDINATION_LOST,
        /** Accepted here, but not applied by as many regions as its write concern asks within the apply timeout. */
        WRITE_CONCERN_TIMEOUT,
        /** Multi-primary, strategy reject: another region wrote the document concurrently ({@code 409 write_conflict}). */
        WRITE_CONFLICT,
        /** The document was not at the client's If-Match version ({@code 412 precondition_failed}). */
        PRECONDITION_FAILED,
        /** Sent to another region with a 307. */
        REDIRECTED,
        /** Produced, but its WAL partition moved to another node of the region before this one decided it. */
        PARTITION_MOVED,
        /** Refused before producing: the applier is too far behind on the write's partition ({@code applier_behind}). */
        APPLIER_BEHIND,
        /** Anything else after validation: unknown tenant, a concurrent write with the same key, not ready, a bug. */
        FAILED;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a request was refused by authentication or authorization. */
    public enum AuthRejection {
        /** No {@code Authorization: Bearer} credential at all ({@code 401}). */
        MISSING,
        /** A credential that is no known key or token: wrong, revoked, or never created ({@code 401}). */
        UNKNOWN,
        /** A data API key that does not grant the request's tenant ({@code 403 tenant_not_allowed}). */
        TENANT_NOT_ALLOWED,
        /** A read-only admin token used for an admin request other than GET ({@code 403 read_only_token}). */
        READ_ONLY;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What became of an admin mutation that reached a node other than the controller. */
    public enum ForwardOutcome {
        /** Forwarded; the controller answered (whatever its status) and the answer was relayed. */
        RELAYED,
        /** Forwarded, but the controller could not be reached or did not answer in time. */
        UNREACHABLE,
        /** Not forwarded: no controller is known (an election is in progress). */
        NO_CONTROLLER,
        /** Not forwarded: the request had already been forwarded once (the nodes disagree about the controller). */
        LOOP;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What became of a data request that reached a node not owning the tenant's WAL partition. */
    public enum OwnerForwardOutcome {
        /** Forwarded to the owning node of the region; its answer (whatever its status) was relayed. */
        OWNER_RELAYED,
        /** Forwarded, but the owning node could not be reached or did not answer in time. */
        OWNER_UNREACHABLE,
        /** Not forwarded: no node owned the partition within the rebalance wait. */
        NO_OWNER,
        /** Not forwarded: it had already been forwarded once, and this node does not own the partition either. */
        OWNER_LOOP;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A migration admin request, by endpoint. */
    public enum MigrationOp {
        /** {@code POST /admin/tenants/{tenant}/migrate} */
        START,
        /** {@code POST /admin/tenants/{tenant}/migrate} with {@code "dry_run":true} */
        DRY_RUN,
        /** {@code POST /admin/migrations/{id}/cancel} */
        CANCEL,
        /** {@code GET /admin/migrations/{id}} */
        GET,
        /** {@code GET /admin/tenants/{tenant}/migrations} */
        LIST;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a migration admin request executed by this node ended. */
    public enum MigrationOutcome {
        /** Answered 2xx. */
        OK,
        /** Refused with a 4xx: unknown tenant, migration or region, a validation failure, a conflict. */
        REJECTED,
        /** Answered 503: not (or no longer) the controller, migrations not rebuilt yet, Kafka or the controller slow. */
        UNAVAILABLE,
        /** Anything else: a bug (500). */
        FAILED;

        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static MigrationOutcome of(int status) {
            if (status >= 200 && status < 300) {
                return OK;
            }
            if (status >= 400 && status < 500) {
                return REJECTED;
            }
            return status == 503 ? UNAVAILABLE : FAILED;
        }
    }

    private final MeterRegistry registry;
    // Meters of the request path, found once per tag combination instead of built and looked up on every request.
    private final Map<String, Timer> httpTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> writeTimers = new ConcurrentHashMap<>();
    private final Counter cacheHits;
    private final Counter cacheMisses;

    public RouterMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String scope : new String[] {"tenant", "client"}) {
            rateLimitedCounter(scope);
        }
        for (AuthRejection reason : AuthRejection.values()) {
            // Registered up front, each for the API that can refuse for it.
            authRejectionCounter(reason == AuthRejection.READ_ONLY ? "admin" : "data", reason);
            if (reason == AuthRejection.MISSING || reason == AuthRejection.UNKNOWN) {
                authRejectionCounter("admin", reason);
            }
        }
        this.cacheHits = cacheGets(registry, "hit");
        this.cacheMisses = cacheGets(registry, "miss");
        for (RedirectReason reason : RedirectReason.values()) {
            redirectCounter(reason);  // registered up front so dashboards show zero, not "no data"
        }
        for (ForwardOutcome outcome : ForwardOutcome.values()) {
            forwardCounter(outcome);
        }
        for (OwnerForwardOutcome outcome : OwnerForwardOutcome.values()) {
            ownerForwardCounter(outcome);
        }
        for (MigrationOp op : MigrationOp.values()) {
            for (MigrationOutcome outcome : MigrationOutcome.values()) {
                migrationCounter(op, outcome);
            }
        }
    }

    private static Counter cacheGets(MeterRegistry registry, String result) {
        return Counter.builder(PLACEMENT_CACHE_GETS).description("Placement cache look-ups")
                .tag(TAG_RESULT, result).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A data request refused by the rate limit of {@code scope} ({@code tenant} or {@code client}). */
    public void rateLimited(String scope) {
        rateLimitedCounter(scope).increment();
    }

    private io.micrometer.core.instrument.Counter rateLimitedCounter(String scope) {
        return io.micrometer.core.instrument.Counter.builder(RATE_LIMITED)
                .description("Data requests answered 429 rate_limited, by the limit that refused them")
                .tag(TAG_SCOPE, scope).register(registry);
    }

    /** A request refused by authentication or authorization; {@code api} is {@code data} or {@code admin}. */
    public void authRejected(String api, AuthRejection reason) {
        authRejectionCounter(api, reason).increment();
    }

    private Counter authRejectionCounter(String api, AuthRejection reason) {
        return Counter.builder(AUTH_REJECTIONS).description("Requests refused by authentication or authorization")
                .tag(TAG_API, api).tag(TAG_REASON, reason.tagValue()).register(registry);
    }

    /** The gauge of {@link #APPLIER_DELAY}. */
    public void applierDelay(java.util.function.Supplier<Duration> delay) {
        io.micrometer.core.instrument.Gauge.builder(APPLIER_DELAY, () -> delay.get().toNanos() / 1e9)
                .description("Age of the oldest record this node wrote that its applier has not read")
                .register(registry);
    }

    /** The gauge of the data API keys {@code source} ({@code file} or {@code admin}) holds. */
    public void apiKeys(String source, java.util.function.Supplier<Number> count) {
        io.micrometer.core.instrument.Gauge.builder(API_KEYS, count).description("Data API keys this node knows")
                .tag(TAG_SOURCE, source).register(registry);
    }

    public void httpRequest(String route, String method, int status, Duration duration) {
        httpTimers.computeIfAbsent(route + ' ' + method + ' ' + status, k -> {
            Timer.Builder builder = Timer.builder(HTTP_REQUESTS).description("HTTP requests served by the router")
                    .tag(TAG_ROUTE, route).tag(TAG_METHOD, method).tag(TAG_STATUS, Integer.toString(status));
            return withLatencyBuckets(builder).register(registry);
        }).record(duration);
    }

    public void redirect(RedirectReason reason) {
        redirectCounter(reason).increment();
    }

    private Counter redirectCounter(RedirectReason reason) {
        return Counter.builder(REDIRECTS).description("Requests redirected to another region")
                .tag(TAG_REASON, reason.tagValue()).register(registry);
    }

    /** @param op {@code put} or {@code delete} */
    public void write(String op, WriteOutcome outcome, Duration duration) {
        writeTimers.computeIfAbsent(op + ' ' + outcome.tagValue(), k -> withLatencyBuckets(Timer.builder(WRITES)
                .description("Writes from request to answer")
                .tag(TAG_OP, op).tag(TAG_OUTCOME, outcome.tagValue()))
                .register(registry)).record(duration);
    }

    /** {@code builder} with the {@link #LATENCY_BUCKETS} as its histogram (and no client-side percentiles). */
    static Timer.Builder withLatencyBuckets(Timer.Builder builder) {
        return builder.serviceLevelObjectives(LATENCY_BUCKETS.toArray(Duration[]::new))
                .minimumExpectedValue(LATENCY_BUCKETS.get(0))
                .maximumExpectedValue(LATENCY_BUCKETS.get(LATENCY_BUCKETS.size() - 1));
    }

    public void forward(ForwardOutcome outcome) {
        forwardCounter(outcome).increment();
    }

    private Counter forwardCounter(ForwardOutcome outcome) {
        return Counter.builder(FORWARDS).description("Admin requests forwarded to the controller, by outcome")
                .tag(TAG_OUTCOME, outcome.tagValue()).register(registry);
    }

    public void ownerForward(OwnerForwardOutcome outcome) {
        ownerForwardCounter(outcome).increment();
    }

    private Counter ownerForwardCounter(OwnerForwardOutcome outcome) {
        return Counter.builder(OWNER_FORWARDS)
                .description("Data requests forwarded to the node of the region owning the tenant's WAL partition")
                .tag(TAG_OUTCOME, outcome.tagValue()).register(registry);
    }

    /** A migration admin request this node executed ended with HTTP {@code status}. */
    public void migrationRequest(MigrationOp op, int status) {
        migrationCounter(op, MigrationOutcome.of(status)).increment();
    }

    private Counter migrationCounter(MigrationOp op, MigrationOutcome outcome) {
        return Counter.builder(MIGRATION_REQUESTS)
                .description("Migration admin requests executed by this node (the controller), by op and outcome")
                .tag(TAG_OP, op.tagValue()).tag(TAG_OUTCOME, outcome.tagValue()).register(registry);
    }

    /** A write with a non-local concern waited {@code waited} for the other regions; {@code satisfied} or not. */
    public void writeConcernWait(String concern, boolean satisfied, Duration waited) {
        Timer.builder(WRITE_CONCERN_WAIT).description("Wait of writes for the regions their write concern needs")
                .tag(TAG_CONCERN, concern).tag(TAG_OUTCOME, satisfied ? "satisfied" : "timeout")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry).record(waited);
        if (!satisfied) {
            Counter.builder(WRITE_CONCERN_TIMEOUTS)
                    .description("Writes answered 503 write_concern_timeout")
                    .tag(TAG_CONCERN, concern).register(registry).increment();
        }
    }

    /** A read with a read concern ended ({@code served} or not) after {@code duration}, skipping {@code skipped}. */
    public void readConcern(String concern, boolean served, int skipped, Duration duration) {
        Timer.builder(READ_CONCERN_READS).description("Reads with a read concern, from request to answer")
                .tag(TAG_CONCERN, concern).tag(TAG_OUTCOME, served ? "served" : "unavailable")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry).record(duration);
        Counter skippedRegions = Counter.builder(READ_CONCERN_SKIPPED)
                .description("Regions a read with a read concern skipped: no answer in time")
                .tag(TAG_CONCERN, concern).register(registry);
        skippedRegions.increment(skipped);
    }

    public void cacheHits(int count) {
        cacheHits.increment(count);
    }

    public void cacheMisses(int count) {
        cacheMisses.increment(count);
    }

    public void cacheEviction(String cause) {
        Counter.builder(PLACEMENT_CACHE_EVICTIONS).description("Placements dropped from the router's cache")
                .tag(TAG_CAUSE, cause).register(registry).increment();
    }
}
