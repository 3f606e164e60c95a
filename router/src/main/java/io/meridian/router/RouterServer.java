package io.meridian.router;

import io.javalin.Javalin;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.SecurityConfigs;
import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.migration.Failbacks;
import io.meridian.migration.Migrations;
import io.meridian.router.internal.AdminApi;
import io.meridian.router.internal.ApplierBackpressure;
import io.meridian.router.internal.BulkPlacementAdmin;
import io.meridian.router.internal.AdminAuth;
import io.meridian.router.internal.AppliedApi;
import io.meridian.router.internal.ConsistencyCheck;
import io.meridian.router.internal.ControllerForwarder;
import io.meridian.router.internal.DigestAt;
import io.meridian.router.internal.ReplicaVerifier;
import io.meridian.router.internal.VerifyApi;
import io.meridian.router.internal.DataApi;
import io.meridian.router.internal.DocumentLimit;
import io.meridian.router.internal.DocumentReader;
import io.meridian.router.internal.DocumentWriter;
import io.meridian.router.internal.ErrorResponses;
import io.meridian.router.internal.FailbackApi;
import io.meridian.router.internal.FailoverPauseApi;
import io.meridian.router.internal.FailoverAdmin;
import io.meridian.router.internal.HealthApi;
import io.meridian.router.internal.HttpEndpoints;
import io.meridian.router.internal.IngestWrites;
import io.meridian.router.internal.MigrationAdmin;
import io.meridian.router.internal.MigrationApi;
import io.meridian.router.internal.ApiKeyApi;
import io.meridian.router.internal.ApiKeys;
import io.meridian.router.internal.DataKeys;
import io.meridian.router.internal.DataAccess;
import io.meridian.router.internal.RateLimiter;
import io.meridian.router.internal.OpenApiDocument;
import io.meridian.router.internal.OwnerForwarder;
import io.meridian.router.internal.PlacementAdmin;
import io.meridian.router.internal.PlacementCache;
import io.meridian.router.internal.PlacementWatch;
import io.meridian.router.internal.ReadConcerns;
import io.meridian.router.internal.RegionReadApi;
import io.meridian.router.internal.WriteConcerns;
import io.meridian.router.internal.RegionView;
import io.meridian.router.internal.PausedReads;
import io.meridian.router.internal.RegionApi;
import io.meridian.router.internal.ReplicationApi;
import io.meridian.router.internal.Routing;
import io.meridian.router.internal.SyncApi;
import io.meridian.router.internal.SyncReporter;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.StoredDocument;
import io.meridian.streams.RegionStreams;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of one region node: the document API ({@code /v1/tenants/{tenant}/docs/{key}}), routing to the
 * right region, the placement cache, the admin API ({@code /admin/...}, including the replication and migration
 * endpoints), replication health ({@code /v1/replication/health}), applied positions
 * ({@code /v1/replication/applied}, what the controller asks a migration target), health and {@code /metrics}.
 *
 * <p>Lifecycle: build, {@link #start()} once (a second call throws), {@link #close()} any number of times. The
 * collaborators passed in (streams, tracker, producer, control plane, migrations, replication status, registry)
 * belong to the caller, which closes them after this server. Thread-safe.
 *
 * <p>A write is answered only once Kafka acknowledged it and this region's applier accepted it; every wait is
 * asynchronous, so a held write costs no thread. A node without its coordination quorum
 * ({@link ControlPlane#hasQuorum()}) refuses writes and keeps serving reads.
 *
 * <p>Data requests (documents, applied positions) are served by the node of this region whose applier owns the
 * tenant's WAL partition (Kafka Streams' metadata); any other node of the region forwards them there
 * ({@link OwnerForwarder}), so a write waits for the verdict where it is made.
 *
 * <p>Admin mutations (placement changes, manual failover) run on the controller: any other node forwards them to
 * {@link ControlPlane#controllerUrl()} and relays the answer, then waits, bounded, until its own placement view shows
 * the change. The migration endpoints, reads included, run on the controller too (only it holds the migrations):
 * forwarded the same way, relayed as they are.
 */
public final class RouterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);
    /** How long an admin change waits until this node's placement view shows it. */
    static final Duration ADMIN_VISIBLE_WAIT = Duration.ofSeconds(10);
    /** How long connecting to the controller may take when forwarding an admin request. */
    static final Duration FORWARD_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /**
     * How long the controller may take to answer a forwarded admin request: its Kafka transaction(s) plus its own
     * {@link #ADMIN_VISIBLE_WAIT}.
     */
    static final Duration FORWARD_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_HTTP_THREADS = 256;
    private static final int MIN_HTTP_THREADS = 8;
    /**
     * Threads that wait for the controller's migration commands (each waits for the one duties thread, bounded by the
     * executor's call timeout); more requests queue, without holding an HTTP thread.
     */
    private static final int MIGRATION_THREADS = 4;
    /** How long a region asked by the consistency check waits to reach the check's WAL position. */
    static final Duration VERIFY_POSITION_WAIT = Duration.ofSeconds(3);

    private final MeridianConfig config;
    private final RegionView view;
    private final QueuedThreadPool httpThreads;
    private final ScheduledExecutorService timer;
    private final ExecutorService adminExecutor;
    // Consistency checks (GET .../verify and the continuous check): they wait for the regions' digests, so not on a
    // pool the digests themselves need.
    private final ExecutorService checkExecutor;
    private final ConsistencyCheck consistencyCheck;
    private final ExecutorService forwardExecutor;
    private final ExecutorService migrationExecutor;
    private final PlacementCache cache;
    private final PlacementWatch watch;
    private final Javalin app;
    private final Lifecycle lifecycle;
    private final SyncReporter syncReporter;
    private final IngestWrites ingestWrites;
    private final Clock clock;
    private final HttpEndpoints endpoints;

    /** How long admin requests wait: for this node's view, and for the controller when forwarded. */
    record AdminTimeouts(Duration visibleWait, Duration forwardConnect, Duration forwardRequest) {
        static final AdminTimeouts DEFAULT = new AdminTimeouts(ADMIN_VISIBLE_WAIT, FORWARD_CONNECT_TIMEOUT,
                FORWARD_REQUEST_TIMEOUT);

        AdminTimeouts {
            Objects.requireNonNull(visibleWait, "visibleWait");
            Objects.requireNonNull(forwardConnect, "forwardConnect");
            Objects.requireNonNull(forwardRequest, "forwardRequest");
        }

        /** The longest an admin request can take: forwarded, then waiting here for the view. */
        Duration longest() {
            return forwardConnect.plus(forwardRequest).plus(visibleWait);
        }
    }

    /**
     * @param walProducer  idempotent, {@code acks=all} producer of {@code meridian.wal}
     * @param controlPlane who the controller is, whether this node has its coordination quorum, and the controller's
     *                     operations (placement changes, manual failover)
     * @param migrations   the tenant migrations, as the controller runs them (every call throws
     *                     {@link ControlPlane.NotControllerException} on other nodes; they forward instead)
     * @param replication  the Kafka-derived replication figures for {@code GET /v1/replication/health}
     * @param clock        source of the hybrid-logical-clock timestamps of writes
     */
    public RouterServer(MeridianConfig config, RegionStreams streams, ApplyTracker tracker,
                        Producer<String, WalRecord> walProducer, ControlPlane controlPlane, Migrations migrations,
                        ReplicationStatus replication, PrometheusMeterRegistry registry, Clock clock) {
        this(config, streams, tracker, walProducer, controlPlane, migrations, Failbacks.NONE, replication,
                RegionPauses.inMemory(), registry, clock);
    }

    /**
     * @param failbacks the failbacks the controller runs (every call throws {@link ControlPlane.NotControllerException}
     *                  on other nodes; they forward instead)
     * @param pauses    which regions' replication the operator paused ({@code meridian.regions}), and the way to
     *                  change it
     */
    public RouterServer(MeridianConfig config, RegionStreams streams, ApplyTracker tracker,
                        Producer<String, WalRecord> walProducer, ControlPlane controlPlane, Migrations migrations,
                        Failbacks failbacks, ReplicationStatus replication, RegionPauses pauses,
                        PrometheusMeterRegistry registry, Clock clock) {
        this(config, streams, tracker, walProducer, controlPlane, migrations, failbacks, replication, pauses,
                new InMemoryApiKeyStore(), registry, clock);
    }

    /**
     * @param apiKeys the data API keys created through the admin API ({@code meridian.api-keys}, shared by every
     *                node: {@link KafkaApiKeyStore}), and the way to create and revoke them
     */
    public RouterServer(MeridianConfig config, RegionStreams streams, ApplyTracker tracker,
                        Producer<String, WalRecord> walProducer, ControlPlane controlPlane, Migrations migrations,
                        Failbacks failbacks, ReplicationStatus replication, RegionPauses pauses, ApiKeyStore apiKeys,
                        PrometheusMeterRegistry registry, Clock clock) {
        this(config, RegionView.of(Objects.requireNonNull(streams, "streams")), tracker, walProducer, controlPlane,
                migrations, failbacks, replication, pauses, apiKeys, registry, clock, AdminTimeouts.DEFAULT);
    }

    /** For tests: any region view, and shorter admin waits. */
    RouterServer(MeridianConfig config, RegionView view, ApplyTracker tracker, Producer<String, WalRecord> walProducer,
                 ControlPlane controlPlane, Migrations migrations, ReplicationStatus replication,
                 PrometheusMeterRegistry registry, Clock clock, AdminTimeouts timeouts) {
        this(config, view, tracker, walProducer, controlPlane, migrations, Failbacks.NONE, replication,
                RegionPauses.inMemory(), registry, clock, timeouts);
    }

    RouterServer(MeridianConfig config, RegionView view, ApplyTracker tracker, Producer<String, WalRecord> walProducer,
                 ControlPlane controlPlane, Migrations migrations, Failbacks failbacks, ReplicationStatus replication,
                 RegionPauses pauses, PrometheusMeterRegistry registry, Clock clock, AdminTimeouts timeouts) {
        this(config, view, tracker, walProducer, controlPlane, migrations, failbacks, replication, pauses,
                new InMemoryApiKeyStore(), registry, clock, timeouts);
    }

    RouterServer(MeridianConfig config, RegionView view, ApplyTracker tracker, Producer<String, WalRecord> walProducer,
                 ControlPlane controlPlane, Migrations migrations, Failbacks failbacks, ReplicationStatus replication,
                 RegionPauses pauses, ApiKeyStore apiKeys, PrometheusMeterRegistry registry, Clock clock,
                 AdminTimeouts timeouts) {
        this.config = Objects.requireNonNull(config, "config");
        this.lifecycle = new Lifecycle("router server of region " + config.region());
        this.view = Objects.requireNonNull(view, "view");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(walProducer, "walProducer");
        Objects.requireNonNull(controlPlane, "controlPlane");
        Objects.requireNonNull(migrations, "migrations");
        Objects.requireNonNull(failbacks, "failbacks");
        Objects.requireNonNull(replication, "replication");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timeouts, "timeouts");
        RouterMetrics metrics = new RouterMetrics(Objects.requireNonNull(registry, "registry"));

        // Jetty's pool runs requests and also every continuation of a waiting request, so that answers are never
        // written from Kafka's producer or stream threads. Handlers do not block; the size is for bursts.
        this.httpThreads = new QueuedThreadPool(MAX_HTTP_THREADS, MIN_HTTP_THREADS);
        httpThreads.setName("meridian-http-" + config.region());
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("meridian-router-timer-" + config.region()));
        this.checkExecutor = Executors.newFixedThreadPool(2, NamedThreads.factory("meridian-verify-" + config.region()));
        this.adminExecutor = Executors.newSingleThreadExecutor(NamedThreads.factory("meridian-router-admin-" + config.region()));
        // The JDK client's own threads: they complete forwarded requests; answers are then written on httpThreads.
        this.forwardExecutor = Executors.newCachedThreadPool(NamedThreads.factory("meridian-router-forward-" + config.region()));
        this.migrationExecutor = Executors.newFixedThreadPool(MIGRATION_THREADS,
                NamedThreads.numbered("meridian-router-migrations-" + config.region()));

        Routing routing = new Routing(config.region(), config.regionUrls());
        this.cache = new PlacementCache(view::placement, config.placementCacheTtl(),
                config.placementCacheMaxTenants(), metrics);
        this.watch = new PlacementWatch(view::placement, timer, httpThreads);
        ErrorResponses errors = ErrorResponses.forConfig(config);
        // Write and read concerns ask other regions' nodes; the default (local) path never does.
        WriteConcerns writeConcerns = new WriteConcerns(config.region(),
                new AppliedPositionClient(config.regionUrls()), controlPlane::health, metrics);
        metrics.applierDelay(tracker::maxApplierDelay);
        DocumentWriter writer = new DocumentWriter(routing, cache, watch, tracker,
                new ApplierBackpressure(tracker, config.region(), config.walPartitions(), config.writeShedAfter()),
                walProducer,
                new HybridLogicalClock(clock),
                (tenant, key) -> view.document(tenant, key).map(StoredDocument::position).orElse(WalRecord.ABSENT),
                new DocumentWriter.Settings(config.writeApplyTimeout(), config.writePauseBudget()), httpThreads,
                metrics, controlPlane::hasQuorum, writeConcerns, errors);
        RegionReadApi regionReads = new RegionReadApi(view, tracker, config.region(), config.nodeId(),
                config.walPartitions());
        HttpClient regionClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.readConcernTimeout())
                .executor(forwardExecutor)
                .build();
        ReadConcerns readConcerns = new ReadConcerns(config.region(), config.regionUrls(), regionReads, regionClient,
                config.readConcernTimeout(), controlPlane::health, httpThreads, errors, metrics);
        Objects.requireNonNull(pauses, "pauses");
        DocumentReader reader = new DocumentReader(routing, cache, view, tracker, config.readMinPositionWait(),
                httpThreads, metrics, readConcerns, new PausedReads(config.region(), pauses, replication),
                config.routingRebalanceWait(), timer);
        PlacementAdmin placementAdmin = new PlacementAdmin(view, controlPlane, watch, adminExecutor,
                timeouts.visibleWait());
        FailoverAdmin failoverAdmin = new FailoverAdmin(controlPlane, watch, adminExecutor, timeouts.visibleWait());
        HttpClient forwardClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)  // a redirect is the controller's answer: relay it
                .connectTimeout(timeouts.forwardConnect())
                .executor(forwardExecutor)
                .build();
        String thisNode = config.region() + "/" + config.nodeId();
        ControllerForwarder forwarder = new ControllerForwarder(controlPlane, forwardClient, thisNode,
                timeouts.forwardRequest(), metrics);
        // Data requests go to the node of this region owning the tenant's WAL partition; the owner may hold a request
        // as long as any data request waits (idleTimeout's reasoning), so that bounds the forward.
        OwnerForwarder owners = new OwnerForwarder(view, forwardClient, config.nodeScheme(), thisNode, config.nodeId(),
                config.routingRebalanceWait(), longestDataRequest(config).plusSeconds(5), timer, httpThreads, metrics);
        MigrationAdmin migrationAdmin = new MigrationAdmin(migrations, migrationExecutor, errors, metrics);
        AdminAuth adminAuth = new AdminAuth(config.adminToken(), config.adminReadToken(),
                config.adminTokenFile().orElse(null), clock, metrics);

        this.app = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.startupWatcherEnabled = false;
            javalin.jetty.threadPool = httpThreads;
            javalin.http.prefer405over404 = true;
            javalin.jetty.addConnector((server, httpConfig) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                connector.setHost(config.httpHost());
                connector.setPort(config.httpPort());
                // A held request does no I/O while it waits: the connection must outlive the longest wait.
                connector.setIdleTimeout(idleTimeout(config, timeouts).toMillis());
                return connector;
            });
        });
        HttpEndpoints endpoints = new HttpEndpoints(app, errors, metrics, httpThreads);
        this.endpoints = endpoints;
        // The WAL producer is built from the same kafka.* keys (MeridianNode); Kafka's answer is the backstop.
        DocumentLimit documentLimit = new DocumentLimit(config.region(),
                WriteLimits.maxRequestSize(config.kafkaClientProperties()));
        DataKeys dataKeys = dataKeys(config, Objects.requireNonNull(apiKeys, "apiKeys"), metrics, clock);
        DataAccess access = dataAccess(config, dataKeys, adminAuth, metrics);
        readConcerns.authorizeWith(() -> adminAuth.nodeToken().orElse(""));
        new DataApi(writer, reader, config.maxBodyBytes(), documentLimit, config.walPartitions(), owners)
                .register(endpoints, access);
        // Bulk changes share the admin executor with single ones: the two never plan from the same epoch.
        BulkPlacementAdmin bulkAdmin = new BulkPlacementAdmin(view, controlPlane, watch, adminExecutor,
                timeouts.visibleWait());
        new AdminApi(adminAuth, placementAdmin, bulkAdmin, forwarder, config.regionUrls().keySet(),
                config.maxBodyBytes(), pauses)
                .register(endpoints);
        new MigrationApi(adminAuth, migrationAdmin, forwarder, config.regionUrls().keySet(), config.maxBodyBytes(),
                thisNode).register(endpoints);
        new FailbackApi(adminAuth, failbacks, forwarder, migrationExecutor, config.maxBodyBytes(), thisNode)
                .register(endpoints);
        new ReplicationApi(adminAuth, controlPlane, forwarder, failoverAdmin, config, replication, pauses)
                .register(endpoints);
        new RegionApi(adminAuth, pauses, view, replication, config.regionUrls().keySet(), thisNode,
                config.maxBodyBytes(), clock).register(endpoints);
        new FailoverPauseApi(adminAuth, pauses, config.getBoolean(ControllerConfigs.FAILOVER_ENABLED), thisNode,
                config.maxBodyBytes(), clock).register(endpoints);
        new HealthApi(view, registry, config.region()).register(endpoints);
        new ApiKeyApi(adminAuth, dataKeys, thisNode, config.maxBodyBytes(), clock).register(endpoints);
        OpenApiDocument.load().register(endpoints);
        new SyncApi(adminAuth, placementAdmin, forwarder, view, routing, config.regionUrls().keySet())
                .withDigestAt(new DigestAt(view, tracker, config.region(), config.walPartitions(),
                        config.readMinPositionWait(), migrationExecutor), owners, config.walPartitions())
                .register(endpoints);
        // Each region waits for the check's position up to VERIFY_POSITION_WAIT (then answers as it is); a round of the
        // check takes at most that plus a margin.
        Duration verifyRound = VERIFY_POSITION_WAIT.plusSeconds(10);
        ReplicaVerifier verifier = new ReplicaVerifier(ReplicaVerifier.overHttp(config.regionUrls(), forwardClient,
                () -> adminAuth.nodeToken().orElse(""), VERIFY_POSITION_WAIT, verifyRound), verifyRound);
        new VerifyApi(adminAuth, view, verifier, checkExecutor).register(endpoints);
        this.consistencyCheck = new ConsistencyCheck(view, verifier, () -> controlPlane.election().leading(),
                config.consistencyCheckTenants(), registry, new java.util.Random());
        this.syncReporter = new SyncReporter(config.region(), view, controlPlane, placementAdmin, forwarder,
                () -> adminAuth.nodeToken().orElse(""));
        new AppliedApi(tracker, config.region(), config.nodeId(), config.walPartitions(), owners).register(endpoints);
        regionReads.register(endpoints, access);
        // Requests read from meridian.ingest take the same path as the document endpoints' writes.
        this.ingestWrites = new IngestWrites(writer, owners, documentLimit, errors, forwardClient,
                longestDataRequest(config).plus(config.routingRebalanceWait()).plusSeconds(5), config.walPartitions(),
                httpThreads);
    }

    /** The data API keys: {@code data.api.keys.file}'s and the admin API's, counted by source. */
    static DataKeys dataKeys(MeridianConfig config, ApiKeyStore apiKeys, RouterMetrics metrics, Clock clock) {
        String keysFile = config.getString(SecurityConfigs.DATA_API_KEYS_FILE);
        ApiKeys fileKeys = keysFile == null || keysFile.isBlank() ? null
                : new ApiKeys(java.nio.file.Path.of(keysFile), clock);
        DataKeys keys = new DataKeys(fileKeys, apiKeys);
        for (DataKeys.Source source : DataKeys.Source.values()) {
            metrics.apiKeys(source.wireName(), () -> keys.count(source));
        }
        return keys;
    }

    /** Who may use the data API and how fast ({@code data.auth.enabled}, {@code rate.limit.*}). */
    static DataAccess dataAccess(MeridianConfig config, DataKeys keys, AdminAuth adminAuth, RouterMetrics metrics) {
        return new DataAccess(config.getBoolean(SecurityConfigs.DATA_AUTH_ENABLED), keys, adminAuth,
                limiter(config.getDouble(SecurityConfigs.RATE_LIMIT_TENANT_PER_SECOND),
                        config.getInt(SecurityConfigs.RATE_LIMIT_TENANT_BURST)),
                limiter(config.getDouble(SecurityConfigs.RATE_LIMIT_CLIENT_PER_SECOND),
                        config.getInt(SecurityConfigs.RATE_LIMIT_CLIENT_BURST)), metrics);
    }

    private static RateLimiter limiter(double perSecond, int burst) {
        if (perSecond <= 0) {
            return null;
        }
        return new RateLimiter(perSecond, burst > 0 ? burst : (int) Math.max(1, Math.ceil(perSecond)),
                System::nanoTime);
    }

    /**
     * A consumer of {@code meridian.ingest} that writes through this server's write path ({@link IngestService}); not
     * started. The caller starts it after this server and closes it before.
     */
    public IngestService ingest(io.micrometer.core.instrument.MeterRegistry registry) {
        return new IngestService(config, ingestWrites, registry, clock);
    }

    /**
     * Starts listening on {@code http.host:http.port}.
     *
     * @throws IllegalStateException when called a second time, or after {@link #close()}
     */
    public void start() {
        lifecycle.beginStart();
        view.addPlacementListener(this::placementChanged);
        app.start();
        timer.scheduleWithFixedDelay(syncReporter, 1, 1, TimeUnit.SECONDS);
        long checkEvery = config.consistencyCheckInterval().toMillis();
        if (checkEvery > 0) {
            // Off the timer thread: a round waits for regions' answers.
            timer.scheduleWithFixedDelay(() -> checkExecutor.execute(consistencyCheck), checkEvery, checkEvery,
                    TimeUnit.MILLISECONDS);
        }
        lifecycle.started();
        LOG.info("router listening region={} host={} port={}", config.region(), config.httpHost(), port());
    }

    /** Every route this server answers (method and path template), in the order registered. */
    public List<HttpEndpoints.Route> routes() {
        return endpoints.routes();
    }

    /** The port the server listens on (the bound one). */
    public int port() {
        if (!lifecycle.hasStarted()) {
            throw new IllegalStateException("router server of region " + config.region() + " is not started");
        }
        return app.port();
    }

    /**
     * Re-seed this region by itself while {@code needsReseed} (the retention guard's mark): see
     * {@link SyncReporter#autoReseed}. {@code reseeded} runs once every tenant it holds has caught up.
     */
    public void autoReseed(java.util.function.BooleanSupplier needsReseed, Runnable reseeded) {
        syncReporter.autoReseed(needsReseed, reseeded);
    }

    /** Drops every cached placement; the next request of each tenant reads the placement view. */
    public void invalidatePlacements() {
        cache.invalidateAll();
    }

    // Runs on the placement view's stream thread: invalidate first, so that woken writers read the new placement.
    private void placementChanged(Placement placement) {
        if (lifecycle.isClosing()) {
            return;
        }
        cache.onPlacementChange(placement);
        watch.onPlacementChange(placement);
    }

    /** Stops listening and releases the server's threads. Idempotent. */
    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        try {
            if (lifecycle.hasStarted()) {
                app.stop();
            }
        } finally {
            timer.shutdownNow();
            adminExecutor.shutdownNow();
            checkExecutor.shutdownNow();
            forwardExecutor.shutdownNow();
            migrationExecutor.shutdownNow();
            lifecycle.closed();
            LOG.info("router stopped region={}", config.region());
        }
    }

    /**
     * Longer than any wait of a request: a paused write (budget, then a retry), or an admin change (forwarded to the
     * controller, which publishes and waits for its view, then the wait for this node's view). A migration command on
     * the controller waits for the controller's duties thread at most the migration executor's call timeout (60 s),
     * within the forward's request timeout.
     */
    static Duration idleTimeout(MeridianConfig config, AdminTimeouts timeouts) {
        // A forwarded data request: the wait for an owner here, then everything the owner may wait.
        Duration forwarded = config.routingRebalanceWait().plus(longestDataRequest(config)).plusSeconds(5);
        Duration longest = Collections.max(List.of(forwarded, timeouts.longest()));
        return longest.plusSeconds(30);
    }

    /**
     * The longest a data request can take on the node that serves it: a paused write (budget, then a retry), or a
     * read waiting for its minimum position and then for the partition's restore; plus a wait for an owner.
     */
    static Duration longestDataRequest(MeridianConfig config) {
        Duration longestWrite = config.writePauseBudget().multipliedBy(2).plus(config.writeApplyTimeout().multipliedBy(2));
        Duration longestRead = config.readMinPositionWait().plus(config.routingRebalanceWait());
        return Collections.max(List.of(longestWrite, longestRead)).plus(config.routingRebalanceWait());
    }

}
