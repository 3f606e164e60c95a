package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ZooKeeperSecurity.Acl;
import io.meridian.election.internal.ZooKeeperLeaderElector;
import io.meridian.election.testing.Electors;
import io.meridian.election.testing.TestZooKeeper;
import io.meridian.election.testing.Waits;
import io.meridian.infra.config.ElectionConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The zookeeper backend with digest credentials and a creator ACL ({@code zookeeper.auth.scheme=digest},
 * {@code zookeeper.acl=creator|creator-world-read}) on a real ZooKeeper server: the election works, and a client
 * without Meridian's credentials (none, a wrong password, another user) can at most read.
 */
@Tag("integration")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZooKeeperAclTest {
    private static final Duration SESSION = Duration.ofSeconds(3);
    private static final String USER = "meridian";
    private static final String PASSWORD = "right-password";

    private static TestZooKeeper zooKeeper;
    private final List<LeaderElector> electors = new ArrayList<>();
    private final List<CuratorFramework> clients = new ArrayList<>();
    private String root;

    @BeforeAll
    static void startZooKeeper() {
        zooKeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        zooKeeper.close();
    }

    @BeforeEach
    void newRoot() {
        root = "/meridian-acl-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeAll() {
        electors.forEach(LeaderElector::close);
        clients.forEach(CuratorFramework::close);
    }

    @Test
    void shouldElectAndAdvanceEpochsOnZnodesOnlyItsIdentityMayChange() throws Exception {
        ZooKeeperSecurity security = ZooKeeperSecurity.digest(USER, PASSWORD, Acl.CREATOR_WORLD_READ);
        List<LeaderElector> three = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            three.add(started("zk-" + i, security));
        }
        LeaderElector first = Electors.awaitStableLeader(three, Duration.ofSeconds(10));
        long firstEpoch = first.epoch();
        Waits.within(Duration.ofSeconds(5)).until(() -> first.liveNodes().size() == 3);

        ZooKeeperLeaderElector zk = (ZooKeeperLeaderElector) first;
        CuratorFramework admin = client(USER, PASSWORD);
        List<ACL> expected = List.of(new ACL(Perms.ALL, meridianId()), new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        List<String> paths = new ArrayList<>(List.of(root, controllerPath(), zk.latchPath(), zk.epochPath(),
                nodesPath(), zk.presencePath()));
        admin.getChildren().forPath(zk.latchPath()).forEach(c -> paths.add(ZKPaths.makePath(zk.latchPath(), c)));
        for (String path : paths) {
            assertEquals(expected, admin.getACL().forPath(path), path);
        }

        // Terms go on under the ACL: the next node writes the epoch znode the first one created.
        first.close();
        List<LeaderElector> rest = three.stream().filter(e -> e != first).toList();
        LeaderElector second = Electors.awaitStableLeader(rest, Duration.ofSeconds(10));
        assertTrue(second.epoch() > firstEpoch, second.epoch() + " after " + firstEpoch);
    }

    @Test
    void shouldLetClientsWithoutTheCredentialsReadButNotChangeOrJoin() throws Exception {
        ZooKeeperSecurity security = ZooKeeperSecurity.digest(USER, PASSWORD, Acl.CREATOR_WORLD_READ);
        List<LeaderElector> two = List.of(started("zk-1", security), started("zk-2", security));
        LeaderElector leader = Electors.awaitStableLeader(two, Duration.ofSeconds(10));
        LeaderElector follower = two.get(leader == two.get(0) ? 1 : 0);
        ZooKeeperLeaderElector zk = (ZooKeeperLeaderElector) leader;
        long epoch = leader.epoch();

        Map<String, CuratorFramework> outsiders = Map.of("no credentials", client(null, null),
                "wrong password", client(USER, "wrong-password"), "another user", client("intruder", PASSWORD));
        for (Map.Entry<String, CuratorFramework> entry : outsiders.entrySet()) {
            String who = entry.getKey();
            CuratorFramework outsider = entry.getValue();
            assertNotNull(outsider.getData().forPath(zk.epochPath()), "world may read: " + who);
            String latchNode = ZKPaths.makePath(zk.latchPath(), outsider.getChildren().forPath(zk.latchPath()).get(0));
            assertRefused(() -> outsider.setData().forPath(zk.epochPath(), "{\"epoch\":999}".getBytes()), who);
            assertRefused(() -> outsider.delete().forPath(zk.epochPath()), who);
            assertRefused(() -> outsider.delete().forPath(latchNode), who);
            assertRefused(() -> outsider.delete().forPath(zk.presencePath()), who);
            // Taking part in the election means a latch node under the latch parent: refused.
            assertRefused(() -> outsider.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(ZKPaths.makePath(zk.latchPath(), "_c_" + UUID.randomUUID() + "-latch-"),
                            new ElectionCandidate("intruder", "us-east", "http://intruder", 0).toJson().getBytes(
                                    StandardCharsets.UTF_8)), who);
            assertRefused(() -> outsider.create().forPath(ZKPaths.makePath(nodesPath(), "intruder")), who);
            assertRefused(() -> outsider.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(root), who);
            assertRefused(() -> outsider.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(zk.epochPath()), who);
        }

        // A Meridian node with a wrong password sees the leader but can never lead: not even when the others leave.
        LeaderElector intruder = started("zk-intruder",
                ZooKeeperSecurity.digest(USER, "wrong-password", Acl.CREATOR_WORLD_READ));
        Waits.within(Duration.ofSeconds(5)).until(() -> intruder.leader().map(leader.self()::sameNode)
                .orElse(false));
        leader.close();
        Waits.within(Duration.ofSeconds(10)).until(follower::isLeader);
        assertTrue(follower.epoch() > epoch);
        follower.close();
        Waits.within(Duration.ofSeconds(5)).until(() -> intruder.leader().isEmpty());
        Waits.within(Duration.ofSeconds(5)).during(Duration.ofSeconds(1)).until(() -> !intruder.isLeader());
        assertTrue(client(null, null).getChildren().forPath(zk.latchPath()).isEmpty(), "no latch node of the intruder");
    }

    @Test
    void shouldHideTheZnodesFromOthersWithTheCreatorAcl() throws Exception {
        LeaderElector leader = started("zk-1", ZooKeeperSecurity.digest(USER, PASSWORD, Acl.CREATOR));
        Electors.awaitStableLeader(List.of(leader), Duration.ofSeconds(10));
        ZooKeeperLeaderElector zk = (ZooKeeperLeaderElector) leader;
        assertEquals(List.of(new ACL(Perms.ALL, meridianId())), client(USER, PASSWORD).getACL().forPath(zk.epochPath()));
        for (CuratorFramework outsider : List.of(client(null, null), client(USER, "wrong-password"))) {
            assertRefused(() -> outsider.getData().forPath(zk.epochPath()), "read of the epoch");
            assertRefused(() -> outsider.getChildren().forPath(zk.latchPath()), "list of the latch");
            assertRefused(() -> outsider.setData().forPath(zk.epochPath(), new byte[0]), "write of the epoch");
        }
    }

    @Test
    void shouldRestrictTheZnodesAnOpenNodeLeftWhenSwitchedToTheCreatorAcl() throws Exception {
        LeaderElector before = started("zk-1", ZooKeeperSecurity.open());
        Electors.awaitStableLeader(List.of(before), Duration.ofSeconds(10));
        long epoch = before.epoch();
        ZooKeeperLeaderElector zk = (ZooKeeperLeaderElector) before;
        CuratorFramework anonymous = client(null, null);
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, anonymous.getACL().forPath(zk.epochPath()));
        before.close();

        LeaderElector after = started("zk-1", ZooKeeperSecurity.digest(USER, PASSWORD, Acl.CREATOR_WORLD_READ));
        Electors.awaitStableLeader(List.of(after), Duration.ofSeconds(10));
        assertTrue(after.epoch() > epoch);
        List<ACL> expected = List.of(new ACL(Perms.ALL, meridianId()), new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        // Restricted on connecting, before the node took part: so before it was elected.
        CuratorFramework admin = client(USER, PASSWORD);
        for (String path : List.of(root, controllerPath(), zk.latchPath(), zk.epochPath(), nodesPath())) {
            assertEquals(expected, admin.getACL().forPath(path), path);
        }
        // World may read the ACL too, but ZooKeeper hides the password hash from those without admin rights.
        assertEquals(List.of(new ACL(Perms.ALL, new Id("digest", USER + ":x")),
                new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)), anonymous.getACL().forPath(zk.epochPath()));
        assertRefused(() -> anonymous.setData().forPath(zk.epochPath(), new byte[0]), "write after the switch");
    }

    private static void assertRefused(ThrowingCall call, String what) {
        assertThrows(KeeperException.NoAuthException.class, call::run, what);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static Id meridianId() throws Exception {
        return new Id("digest", DigestAuthenticationProvider.generateDigest(USER + ":" + PASSWORD));
    }

    private String controllerPath() {
        return ZKPaths.makePath(root, "controller");
    }

    private String nodesPath() {
        return ZKPaths.makePath(root, "nodes");
    }

    /** A plain Curator client, authenticated with digest {@code user:password} unless {@code user} is null. */
    private CuratorFramework client(String user, String password) throws InterruptedException {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(zooKeeper.connectString())
                .retryPolicy(new RetryOneTime(100));
        if (user != null) {
            builder.authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework client = builder.build();
        clients.add(client);
        client.start();
        assertTrue(client.blockUntilConnected(10, TimeUnit.SECONDS));
        return client;
    }

    private LeaderElector started(String nodeId, ZooKeeperSecurity security) {
        LeaderElector e = LeaderElectors.create(ElectionConfigs.BACKEND_ZOOKEEPER,
                new ElectionCandidate(nodeId, "us-east", "http://" + nodeId, 0), ElectionSettings.builder()
                        .zookeeperConnect(zooKeeper.connectString())
                        .zookeeperRoot(root)
                        .zookeeperSessionTimeout(SESSION)
                        .zookeeperConnectionTimeout(SESSION)
                        .zookeeperSecurity(security)
                        .build());
        electors.add(e);
        e.start();
        return e;
    }
}
