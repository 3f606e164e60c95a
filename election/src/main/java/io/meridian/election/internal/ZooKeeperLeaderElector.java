package io.meridian.election.internal;

import io.meridian.election.ElectionCandidate;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.election.ElectionSettings;
import io.meridian.election.ZooKeeperSecurity;
import io.meridian.election.internal.ZooKeeperEpochStore.EpochRecord;
import io.meridian.election.internal.ZooKeeperEpochStore.NotLatchHolderException;
import io.meridian.infra.config.ElectionConfigs;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.AuthInfo;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.StandardLockInternalsDriver;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code zookeeper} backend: an Apache Curator {@link LeaderLatch} decides, a compare-and-set znode hands out
 * epochs, and an ephemeral znode per node announces presence.
 *
 * <pre>
 * &lt;root&gt;/controller/latch/..-latch-000000000N   ephemeral sequential, data = ElectionCandidate JSON (the participant id)
 * &lt;root&gt;/controller/epoch                       persistent, {"epoch":N,"leader":{..},"claimedAtMs":T}
 * &lt;root&gt;/nodes/&lt;nodeId&gt;                        ephemeral, data = ElectionCandidate JSON
 * </pre>
 *
 * <p><b>Winning.</b> When the latch says this node leads, it claims a new epoch ({@link ZooKeeperEpochStore#claim}:
 * versioned write guarded by a check that its latch node still exists) and only then tells listeners
 * {@code onElected(epoch)}.
 *
 * <p><b>Losing.</b> On {@code SUSPENDED} or {@code LOST} the node gives leadership up at once (Curator's standard error
 * policy makes the latch do the same), reports no quorum and forgets the leader; on {@code RECONNECTED} the latch
 * re-checks its position and, if it still leads, the node claims a NEW epoch: a term never survives a connection
 * loss. Seeing a larger epoch claimed by another node also deposes it.
 *
 * <p><b>Followers</b> watch the latch and the epoch znode (a {@link CuratorCache}): a leader is known once the lowest
 * latch node's candidate has claimed the latest epoch.
 *
 * <p><b>Security.</b> The client authenticates as {@link ElectionSettings#zookeeperSecurity()} says (digest through
 * Curator's authorization, SASL through the JVM's JAAS {@code Client} section) and every znode it creates gets the
 * configured ACL. With an ACL other than open, the first connection also restricts the znodes of this node's tree
 * that still carry the open ACL (left by a node of an earlier version or configuration); znodes with any other ACL are
 * left as they are.
 *
 * <p>All ZooKeeper events are handled on one thread ({@code meridian-election-zk-<nodeId>}), so they are handled in
 * the order they happened. Thread-safe.
 */
public final class ZooKeeperLeaderElector extends AbstractLeaderElector {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperLeaderElector.class);
    private static final String LATCH_LOCK_NAME = "latch-";
    private static final Duration CLAIM_RETRY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration WORKER_SHUTDOWN = Duration.ofSeconds(5);

    private final ElectionSettings settings;
    private final String latchPath;
    private final String epochPath;
    private final String controllerPath;
    private final String nodesPath;
    private final ScheduledExecutorService worker;

    // Written in doStart (before any event can arrive), read on the worker and in doClose.
    private volatile CuratorFramework client;
    private volatile LeaderLatch latch;
    private volatile PersistentNode presence;
    private volatile CuratorCache controllerCache;
    private volatile CuratorCache nodesCache;
    private volatile ZooKeeperEpochStore epochs;
    private volatile ConnectionState lastConnectionState;
    // Worker only.
    private boolean openZnodesSecured;

    public ZooKeeperLeaderElector(ElectionCandidate self, ElectionSettings settings) {
        super(ElectionConfigs.BACKEND_ZOOKEEPER, self, settings.clock());
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.zookeeperConnect().isBlank()) {
            throw new IllegalArgumentException("the zookeeper election backend needs a ZooKeeper connect string");
        }
        String root = settings.zookeeperRoot();
        this.controllerPath = ZKPaths.makePath(root, "controller");
        this.latchPath = ZKPaths.makePath(controllerPath, "latch");
        this.epochPath = ZKPaths.makePath(controllerPath, "epoch");
        this.nodesPath = ZKPaths.makePath(root, "nodes");
        this.worker = NamedThreads.singleThread("meridian-election-zk-" + self.nodeId());
    }

    /** The last connection state Curator reported ({@code null} before the first), for diagnostics. */
    public ConnectionState lastConnectionState() {
        return lastConnectionState;
    }

    /** {@code <root>/controller/latch}. */
    public String latchPath() {
        return latchPath;
    }

    /** {@code <root>/controller/epoch}. */
    public String epochPath() {
        return epochPath;
    }

    /** {@code <root>/nodes/<nodeId>}: this node's presence znode. */
    public String presencePath() {
        return ZKPaths.makePath(nodesPath, self.nodeId());
    }

    @Override
    protected void doStart() {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(settings.zookeeperConnect())
                .sessionTimeoutMs(Math.toIntExact(settings.zookeeperSessionTimeout().toMillis()))
                .connectionTimeoutMs(Math.toIntExact(settings.zookeeperConnectionTimeout().toMillis()))
                // Few, short retries: a blocked worker delays connection events; the latch re-fires anyway.
                .retryPolicy(new ExponentialBackoffRetry(100, 3, 1_000))
                .threadFactory(NamedThreads.factory("meridian-election-curator-" + self.nodeId()))
                .authorization(authorization(settings.zookeeperSecurity()))
                .aclProvider(aclProvider(acl(settings.zookeeperSecurity().acl())))
                .build();
        LOG.info("zookeeper election node={} connect={} root={} security={}", self.nodeId(),
                settings.zookeeperConnect(), settings.zookeeperRoot(), settings.zookeeperSecurity());
        client = c;
        epochs = new ZooKeeperEpochStore(c, epochPath, clock);
        c.getConnectionStateListenable().addListener((cf, newState) -> onConnectionState(newState), worker);
        c.start();

        CuratorCache controller = CuratorCache.build(c, controllerPath);
        controller.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> refreshView())
                .forInitialized(this::refreshView)
                .build(), worker);
        controllerCache = controller;
        controller.start();

        CuratorCache nodes = CuratorCache.build(c, nodesPath);
        nodesCache = nodes;
        nodes.start();

        PersistentNode node = new PersistentNode(c, CreateMode.EPHEMERAL, false, presencePath(),
                self.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        presence = node;
        node.start();

        LeaderLatch l = new LeaderLatch(c, latchPath, self.toJson(), LeaderLatch.CloseMode.NOTIFY_LEADER);
        l.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                onLatchAcquired();
            }

            @Override
            public void notLeader() {
                safely("latch released", ZooKeeperLeaderElector.this::onLatchReleased);
            }
        }, worker);
        latch = l;
        try {
            l.start();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the leader latch at " + latchPath, e);
        }
    }

    @Override
    protected void doClose() {
        // Release the latch first: the next node's watch on our latch node fires within milliseconds.
        LeaderLatch l = latch;
        if (l != null && l.getState() == LeaderLatch.State.STARTED) {
            try {
                l.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing the leader latch failed node={}; the session close removes its node", self.nodeId(),
                        e);
            }
        }
        CuratorFramework c = client;
        if (c != null && c.getZookeeperClient().isConnected()) {
            closeQuietly(presence, "presence node");
        }
        // Else deleting it would block for the retry policy's whole budget; the session's end removes it.
        closeQuietly(controllerCache, "controller cache");
        closeQuietly(nodesCache, "nodes cache");
        if (c != null) {
            try {
                // Ends the session: every ephemeral node of this node (latch, presence) goes at once.
                c.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the ZooKeeper client failed node={}", self.nodeId(), e);
            }
        }
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(WORKER_SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("election worker of node={} did not stop within {}", self.nodeId(), WORKER_SHUTDOWN);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<ElectionCandidate> liveNodes() {
        CuratorCache nodes = nodesCache;
        if (nodes == null) {
            return List.of();
        }
        return nodes.stream()
                .filter(d -> nodesPath.equals(ZKPaths.getPathAndNode(d.getPath()).getPath()))
                .map(d -> parseCandidate(d).orElse(null))
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(ElectionCandidate::nodeId))
                .toList();
    }

    /** The epoch record as this node's cache last saw it (for tests and diagnostics). */
    Optional<EpochRecord> cachedEpochRecord() {
        CuratorCache cache = controllerCache;
        if (cache == null) {
            return Optional.empty();
        }
        return cache.get(epochPath).map(ChildData::getData).filter(d -> d != null && d.length > 0).flatMap(d -> {
            try {
                return Optional.of(EpochRecord.parse(d, epochPath));
            } catch (IllegalStateException e) {
                LOG.error("unreadable controller epoch node={}: {}", self.nodeId(), e.getMessage());
                return Optional.empty();
            }
        });
    }

    private void onConnectionState(ConnectionState newState) {
        safely("connection " + newState, () -> {
            LOG.info("zookeeper connection {} node={} epoch={}", newState, self.nodeId(), epoch());
            lastConnectionState = newState;
            switch (newState) {
                case CONNECTED, RECONNECTED -> {
                    secureOpenZnodesOnce();
                    quorumChanged(true, "zookeeper connection " + newState);
                    // The latch re-checks its own position on RECONNECTED and fires isLeader if it still leads.
                    refreshView();
                }
                case SUSPENDED, LOST, READ_ONLY -> quorumChanged(false, "zookeeper connection " + newState);
                default -> LOG.debug("ignoring connection state {}", newState);
            }
        });
    }

    /** The ACL znodes get under {@code acl}: ZooKeeper expands {@code auth} to the creator's authenticated ids. */
    static List<ACL> acl(ZooKeeperSecurity.Acl acl) {
        return switch (acl) {
            case OPEN -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
            case CREATOR -> ZooDefs.Ids.CREATOR_ALL_ACL;
            case CREATOR_WORLD_READ -> {
                List<ACL> list = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
                list.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
                // Not List.copyOf: ZooKeeper's client asks acl.contains(null), which an immutable list rejects.
                yield Collections.unmodifiableList(list);
            }
        };
    }

    private static List<AuthInfo> authorization(ZooKeeperSecurity security) {
        // SASL needs nothing here: ZooKeeper's client logs in with the JAAS section by itself.
        return security.digestAuth().map(auth -> List.of(new AuthInfo("digest", auth))).orElse(List.of());
    }

    private static ACLProvider aclProvider(List<ACL> acl) {
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    /**
     * Gives the configured ACL to the znodes of this node's tree that still have the open one. Once per elector, on
     * the worker; a failure is logged and retried at the next connection.
     */
    private void secureOpenZnodesOnce() {
        if (openZnodesSecured || settings.zookeeperSecurity().acl() == ZooKeeperSecurity.Acl.OPEN) {
            return;
        }
        List<ACL> target = acl(settings.zookeeperSecurity().acl());
        List<String> secured = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(List.of(controllerPath, nodesPath));
        String root = settings.zookeeperRoot();
        try {
            if (!root.equals("/")) {
                // The root itself, but none of its other children: those are not Meridian's.
                secureIfOpen(root, target, secured);
            }
            while (!todo.isEmpty()) {
                String path = todo.pop();
                if (!secureIfOpen(path, target, secured)) {
                    continue;
                }
                try {
                    for (String child : client.getChildren().forPath(path)) {
                        todo.push(ZKPaths.makePath(path, child));
                    }
                } catch (KeeperException.NoNodeException e) {
                    // Gone meanwhile (an ephemeral node): nothing to secure.
                }
            }
            openZnodesSecured = true;
            if (!secured.isEmpty()) {
                LOG.warn("restricted {} znodes that had the open ACL to zookeeper.acl={} node={}: {}",
                        secured.size(), settings.zookeeperSecurity().acl().configName(), self.nodeId(), secured);
            }
        } catch (KeeperException.NoAuthException e) {
            openZnodesSecured = true;
            LOG.error("ZooKeeper refuses node={} access to {} (NoAuth): Meridian's znodes were created by another"
                    + " identity than this node's zookeeper.auth settings; every node must use the same credentials"
                    + " (an administrator can reset the ACLs with setAcl)", self.nodeId(), e.getPath());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Curator declares Exception: connection loss and the like; the next connection tries again.
            LOG.warn("could not check the ACLs of the znodes under {} node={}; trying again at the next connection",
                    root, self.nodeId(), e);
        }
    }

    /** Whether {@code path} exists; sets {@code target} as its ACL when it has the open ACL. */
    private boolean secureIfOpen(String path, List<ACL> target, List<String> secured) throws Exception {
        Stat stat = new Stat();
        List<ACL> current;
        try {
            current = client.getACL().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
        if (current.stream().anyMatch(a -> "digest".equals(a.getId().getScheme())
                && a.getId().getId().endsWith(":x"))) {
            // ZooKeeper shows a digest ACL's hash only to clients with admin rights: these are someone else's.
            throw KeeperException.create(KeeperException.Code.NOAUTH, path);
        }
        if (current.equals(ZooDefs.Ids.OPEN_ACL_UNSAFE)) {
            try {
                // The ACL version guards against a concurrent change by an administrator.
                client.setACL().withVersion(stat.getAversion()).withACL(target).forPath(path);
                secured.add(path);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                LOG.info("znode {} changed while securing it node={}; left as it is", path, self.nodeId());
            }
        }
        return true;
    }

    private void onLatchAcquired() {
        safely("latch acquired", () -> {
            LeaderLatch l = latch;
            if (isClosed() || l == null || !l.hasLeadership()) {
                return;
            }
            try {
                long claimed = epochs.claim(l.getOurPath(), self);
                if (!l.hasLeadership() || isClosed()) {
                    // The term was lost while claiming; the epoch is burnt, which keeps epochs increasing.
                    LOG.info("lost the latch while claiming epoch={} node={}", claimed, self.nodeId());
                    return;
                }
                becomeLeader(claimed);
            } catch (NotLatchHolderException e) {
                LOG.info("not claiming an epoch node={}: {}", self.nodeId(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("claiming a controller epoch failed node={}; retrying in {} ms while the latch is held",
                        self.nodeId(), CLAIM_RETRY_BACKOFF.toMillis(), e);
                if (!worker.isShutdown()) {
                    worker.schedule(this::onLatchAcquired, CLAIM_RETRY_BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void onLatchReleased() {
        CuratorFramework c = client;
        if (c != null && !c.getZookeeperClient().isConnected()) {
            // Curator's latch reacts to SUSPENDED/LOST before our own connection listener runs: same cause, same
            // outcome (deposed first, then quorum lost); the connection event that follows changes nothing.
            quorumChanged(false, "zookeeper connection lost");
        } else {
            stepDown("lost the ZooKeeper leader latch");
        }
    }

    /** Recomputes who leads from the cached latch children and epoch record. Runs on the worker. */
    private void refreshView() {
        safely("refresh view", () -> {
            if (isClosed()) {
                return;
            }
            Optional<EpochRecord> record = cachedEpochRecord();
            long recordEpoch = record.map(EpochRecord::epoch).orElse(-1L);
            if (isLeader()) {
                // Only a newer term of another node matters to a leader: it is then deposed.
                record.ifPresent(r -> observeLeader(r.leader(), r.epoch()));
                return;
            }
            Optional<ElectionCandidate> latchLeader = latchLeader();
            if (latchLeader.isPresent() && record.isPresent() && record.get().leader().sameNode(latchLeader.get())) {
                observeLeader(latchLeader.get(), recordEpoch);
            } else {
                // No established term: the latch leader has not claimed its epoch yet, or nobody holds the latch.
                observeLeader(null, recordEpoch);
            }
        });
    }

    private Optional<ElectionCandidate> latchLeader() {
        CuratorCache cache = controllerCache;
        if (cache == null) {
            return Optional.empty();
        }
        return cache.stream()
                .filter(d -> latchPath.equals(ZKPaths.getPathAndNode(d.getPath()).getPath()))
                .filter(d -> d.getPath().contains(LATCH_LOCK_NAME))
                .min(Comparator.comparing((ChildData d) -> StandardLockInternalsDriver.standardFixForSorting(
                        ZKPaths.getNodeFromPath(d.getPath()), LATCH_LOCK_NAME)))
                .flatMap(this::parseCandidate);
    }

    private Optional<ElectionCandidate> parseCandidate(ChildData data) {
        if (data.getData() == null || data.getData().length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(ElectionCandidate.fromJson(data.getData()));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring znode {} without a candidate node={}: {}", data.getPath(), self.nodeId(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Runs a worker task; a failure is logged, never lost in an executor's future. */
    private void safely(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("election event '{}' failed node={}", what, self.nodeId(), e);
        }
    }

    private void closeQuietly(java.io.Closeable closeable, String what) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing the {} failed node={}", what, self.nodeId(), e);
        }
    }
}
