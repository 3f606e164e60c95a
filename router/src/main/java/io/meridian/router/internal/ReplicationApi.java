package io.meridian.router.internal;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.meridian.election.ElectionCandidate;
import io.meridian.election.ElectionSnapshot;
import io.meridian.election.controller.ControlPlane;
import io.meridian.infra.config.ControllerConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.regions.RegionPauses;
import io.meridian.router.ReplicationStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The replication endpoints, over the node's {@link ControlPlane}: {@code GET /admin/replication/election} (the
 * election as this node sees it, served by any node) and {@code POST /admin/replication/failover} (manual failover,
 * run on the controller: forwarded there from any other node), both behind {@link AdminAuth}; and
 * {@code GET /v1/replication/health} (region health from {@link ControlPlane#health()} with the replication figures of
 * {@link ReplicationStatus}, see {@link ReplicationHealth}), served by any node without a token. Thread-safe.
 */
public final class ReplicationApi {
    public static final String ELECTION_PATH = "/admin/replication/election";
    public static final String FAILOVER_PATH = "/admin/replication/failover";
    public static final String HEALTH_PATH = "/v1/replication/health";

    private final AdminAuth auth;
    private final ControlPlane controlPlane;
    private final ControllerForwarder forwarder;
    private final FailoverAdmin failover;
    private final MeridianConfig config;
    private final ReplicationStatus replication;
    private final RegionPauses pauses;

    public ReplicationApi(AdminAuth auth, ControlPlane controlPlane, ControllerForwarder forwarder,
                          FailoverAdmin failover, MeridianConfig config, ReplicationStatus replication) {
        this(auth, controlPlane, forwarder, failover, config, replication, RegionPauses.inMemory());
    }

    public ReplicationApi(AdminAuth auth, ControlPlane controlPlane, ControllerForwarder forwarder,
                          FailoverAdmin failover, MeridianConfig config, ReplicationStatus replication,
                          RegionPauses pauses) {
        this.pauses = pauses;
        this.auth = auth;
        this.controlPlane = controlPlane;
        this.forwarder = forwarder;
        this.failover = failover;
        this.config = config;
        this.replication = replication;
    }

    public void register(HttpEndpoints endpoints) {
        endpoints.add(HandlerType.GET, ELECTION_PATH, auth.protect(ctx -> CompletableFuture.completedFuture(
                Reply.json(200, election(controlPlane.election())))));
        endpoints.add(HandlerType.POST, FAILOVER_PATH, auth.protect(this::postFailover));
        endpoints.add(HandlerType.GET, HEALTH_PATH, ctx -> CompletableFuture.completedFuture(Reply.json(200,
                ReplicationHealth.body(config.region(), List.copyOf(config.regionUrls().keySet()),
                        config.walPartitions(), controlPlane, replication, pauses,
                        config.getBoolean(ControllerConfigs.FAILOVER_ENABLED)))));
    }

    private CompletableFuture<Reply> postFailover(Context ctx) {
        byte[] body = HttpEndpoints.body(ctx, config.maxBodyBytes());
        // Validated here as well as on the controller: a bad request is refused without a hop, even mid-election.
        FailoverRequest request = FailoverRequest.parse(body);
        return forwarder.onController(ctx, body, () -> failover.failover(request), failover::awaitRelayed);
    }

    /**
     * {@code {"backend","state","epoch","hasQuorum","leaderNodeId","leaderRegion","leaderUrl","self":{"nodeId",
     * "region","url","priority"},"since"}}; the leader fields are null when no leader is known, {@code state} is
     * lower-case.
     */
    static Map<String, Object> election(ElectionSnapshot snapshot) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backend", snapshot.backend());
        body.put("state", snapshot.state().name().toLowerCase(Locale.ROOT));
        body.put("epoch", snapshot.epoch());
        body.put("hasQuorum", snapshot.hasQuorum());
        body.put("leaderNodeId", snapshot.leaderNodeId());
        body.put("leaderRegion", snapshot.leaderRegion());
        body.put("leaderUrl", snapshot.leaderUrl());
        ElectionCandidate self = snapshot.self();
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("nodeId", self.nodeId());
        node.put("region", self.region());
        node.put("url", self.url());
        node.put("priority", self.priority());
        body.put("self", node);
        body.put("since", snapshot.since());
        return body;
    }
}
