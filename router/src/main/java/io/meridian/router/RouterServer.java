package io.meridian.router;

import io.javalin.Javalin;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.control.PlacementPublisher;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WalRecord;
import io.meridian.router.internal.AdminApi;
import io.meridian.router.internal.AdminAuth;
import io.meridian.router.internal.DataApi;
import io.meridian.router.internal.DocumentReader;
import io.meridian.router.internal.DocumentWriter;
import io.meridian.router.internal.ErrorResponses;
import io.meridian.router.internal.HealthApi;
import io.meridian.router.internal.HttpEndpoints;
import io.meridian.router.internal.PlacementAdmin;
import io.meridian.router.internal.PlacementCache;
import io.meridian.router.internal.PlacementWatch;
import io.meridian.router.internal.PlacementWriter;
import io.meridian.router.internal.RegionView;
import io.meridian.router.internal.Routing;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.RegionStreams;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of one region node: the document API ({@code /v1/tenants/{tenant}/docs/{key}}), routing to the
 * right region, the placement cache, the admin API ({@code /admin/...}), health and {@code /metrics}.
 *
 * <p>Lifecycle: build, {@link #start()} once (a second call throws), {@link #close()} any number of times. The
 * collaborators passed in (streams, tracker, producer, publisher, registry) belong to the caller, which closes them
 * after this server. Thread-safe.
 *
 * <p>A write is answered only once Kafka acknowledged it and this region's applier accepted it; every wait is
 * asynchronous, so a held write costs no thread.
 */
public final class RouterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);
    /** How long an admin change waits until this node's placement view shows it. */
    static final Duration ADMIN_VISIBLE_WAIT = Duration.ofSeconds(10);
    private static final int MAX_HTTP_THREADS = 256;
    private static final int MIN_HTTP_THREADS = 8;

    private final MeridianConfig config;
    private final RegionView view;
    private final QueuedThreadPool httpThreads;
    private final ScheduledExecutorService timer;
    private final ExecutorService adminExecutor;
    private final PlacementCache cache;
    private final PlacementWatch watch;
    private final Javalin app;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param walProducer idempotent, {@code acks=all} producer of {@code meridian.wal}
     * @param publisher   writes admin placement changes (placement + fence in one transaction)
     * @param clock       source of the hybrid-logical-clock timestamps of writes
     */
    public RouterServer(MeridianConfig config, RegionStreams streams, ApplyTracker tracker,
                        Producer<String, WalRecord> walProducer, PlacementPublisher publisher,
                        PrometheusMeterRegistry registry, Clock clock) {
        this(config, RegionView.of(Objects.requireNonNull(streams, "streams")), tracker, walProducer,
                PlacementWriter.of(Objects.requireNonNull(publisher, "publisher")), registry, clock);
    }

    /** For tests: any region view and placement writer. */
    RouterServer(MeridianConfig config, RegionView view, ApplyTracker tracker, Producer<String, WalRecord> walProducer,
                 PlacementWriter placementWriter, PrometheusMeterRegistry registry, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.view = Objects.requireNonNull(view, "view");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(walProducer, "walProducer");
        Objects.requireNonNull(placementWriter, "placementWriter");
        Objects.requireNonNull(clock, "clock");
        RouterMetrics metrics = new RouterMetrics(Objects.requireNonNull(registry, "registry"));

        // Jetty's pool runs requests and also every continuation of a waiting request, so that answers are never
        // written from Kafka's producer or stream threads. Handlers do not block; the size is for bursts.
        this.httpThreads = new QueuedThreadPool(MAX_HTTP_THREADS, MIN_HTTP_THREADS);
        httpThreads.setName("meridian-http-" + config.region());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("meridian-router-timer-" + config.region()));
        this.adminExecutor = Executors.newSingleThreadExecutor(daemon("meridian-router-admin-" + config.region()));

        Routing routing = new Routing(config.region(), config.regionUrls());
        this.cache = new PlacementCache(view::placement, config.placementCacheTtl(),
                config.placementCacheMaxTenants(), metrics);
        this.watch = new PlacementWatch(view::placement, timer, httpThreads);
        ErrorResponses errors = new ErrorResponses(config.retryAfterSeconds());
        DocumentWriter writer = new DocumentWriter(routing, cache, watch, tracker, walProducer,
                new HybridLogicalClock(clock),
                new DocumentWriter.Settings(config.writeApplyTimeout(), config.writePauseBudget()), httpThreads,
                metrics);
        DocumentReader reader = new DocumentReader(routing, cache, view, tracker, config.readMinPositionWait(),
                httpThreads, metrics);
        PlacementAdmin placementAdmin = new PlacementAdmin(view, placementWriter, watch, adminExecutor,
                ADMIN_VISIBLE_WAIT);

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
                connector.setIdleTimeout(idleTimeout(config).toMillis());
                return connector;
            });
        });
        HttpEndpoints endpoints = new HttpEndpoints(app, errors, metrics, httpThreads);
        new DataApi(writer, reader, config.maxBodyBytes(), config.walPartitions()).register(endpoints);
        new AdminApi(new AdminAuth(config.adminToken()), placementAdmin, config.regionUrls().keySet(),
                config.maxBodyBytes()).register(endpoints);
        new HealthApi(view, registry, config.region()).register(endpoints);
    }

    /**
     * Starts listening on {@code http.host:http.port}.
     *
     * @throws IllegalStateException when called a second time, or after {@link #close()}
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("router server of region " + config.region() + " already started");
        }
        if (closed.get()) {
            throw new IllegalStateException("router server of region " + config.region() + " is closed");
        }
        view.addPlacementListener(this::placementChanged);
        app.start();
        LOG.info("router listening region={} host={} port={}", config.region(), config.httpHost(), port());
    }

    /** The port the server listens on (the bound one). */
    public int port() {
        if (!started.get()) {
            throw new IllegalStateException("router server of region " + config.region() + " is not started");
        }
        return app.port();
    }

    /** Drops every cached placement; the next request of each tenant reads the placement view. */
    public void invalidatePlacements() {
        cache.invalidateAll();
    }

    // Runs on the placement view's stream thread: invalidate first, so that woken writers read the new placement.
    private void placementChanged(Placement placement) {
        if (closed.get()) {
            return;
        }
        cache.onPlacementChange(placement);
        watch.onPlacementChange(placement);
    }

    /** Stops listening and releases the server's threads. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (started.get()) {
                app.stop();
            }
        } finally {
            timer.shutdownNow();
            adminExecutor.shutdownNow();
            LOG.info("router stopped region={}", config.region());
        }
    }

    /** Longer than any wait of a request: a paused write (budget, then a retry) or an admin change. */
    static Duration idleTimeout(MeridianConfig config) {
        Duration longestWrite = config.writePauseBudget().multipliedBy(2).plus(config.writeApplyTimeout().multipliedBy(2));
        Duration longest = Collections.max(List.of(longestWrite, config.readMinPositionWait(),
                ADMIN_VISIBLE_WAIT.plusSeconds(30)));
        return longest.plusSeconds(30);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
