package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.internal.ZooKeeperLeaderElector;
import io.meridian.election.testing.Electors;
import io.meridian.election.testing.Waits;
import io.meridian.infra.cluster.EmbeddedZooKeeper;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@link ZooKeeperSaslTest}, run in a JVM of its own because JAAS configuration and ZooKeeper's server
 * authentication providers are JVM-wide: started with {@code -Djava.security.auth.login.config} (sections
 * {@code Server} and {@code Client}, DIGEST-MD5 user {@code meridian}) and
 * {@code -Dzookeeper.authProvider.sasl=...SASLAuthenticationProvider}. Prints {@value #OK} and exits 0 when every
 * check passed, else prints the failure and exits 1.
 */
public final class ZooKeeperSaslCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperSaslCheck.class);
    static final String OK = "ZOOKEEPER-SASL-CHECK-OK";
    static final String USER = "meridian";

    private ZooKeeperSaslCheck() {
    }

    public static void main(String[] args) {
        int status = 1;
        try {
            run(Path.of(args[0]));
            status = 0;
        } catch (Exception | AssertionError e) {
            System.out.println("FAILED: " + e);
            LOG.error("ZooKeeper SASL check failed", e);
        } finally {
            // ZooKeeper's server threads are not daemons.
            System.out.flush();
            System.exit(status);
        }
    }

    private static void run(Path dataDir) throws Exception {
        MeridianConfig config = new MeridianConfig(Map.of("region", "us-east", "regions", "us-east=http://127.0.0.1:1",
                "kafka.bootstrap.servers", "localhost:9092", "zookeeper.auth.scheme", "sasl",
                "zookeeper.acl", "creator-world-read"));
        // What a node does at start: the JAAS Client section is there, so this passes.
        ZooKeeperSecurity security = ZooKeeperSecurity.from(config);
        assertEquals(ZooKeeperSecurity.Scheme.SASL, security.scheme());

        List<AutoCloseable> resources = new ArrayList<>();
        try (EmbeddedZooKeeper server = EmbeddedZooKeeper.start(dataDir, 0)) {
            List<LeaderElector> two = new ArrayList<>();
            for (String id : List.of("sasl-1", "sasl-2")) {
                LeaderElector e = LeaderElectors.create(ElectionConfigs.BACKEND_ZOOKEEPER,
                        new ElectionCandidate(id, "us-east", "http://" + id, 0), ElectionSettings.builder()
                                .zookeeperConnect(server.connectString())
                                .zookeeperRoot("/meridian")
                                .zookeeperSessionTimeout(Duration.ofSeconds(3))
                                .zookeeperConnectionTimeout(Duration.ofSeconds(3))
                                .zookeeperSecurity(security)
                                .build());
                resources.add(e);
                two.add(e);
                e.start();
            }
            LeaderElector first = Electors.awaitStableLeader(two, Duration.ofSeconds(15));
            long firstEpoch = first.epoch();
            ZooKeeperLeaderElector zk = (ZooKeeperLeaderElector) first;

            // The znodes belong to the SASL principal: the nodes did authenticate with DIGEST-MD5.
            CuratorFramework member = client(server.connectString(), true, resources);
            assertEquals(List.of(new ACL(Perms.ALL, new Id("sasl", USER)),
                    new ACL(Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)), member.getACL().forPath(zk.epochPath()));

            // A client that does not log in reads, but cannot change or join.
            CuratorFramework outsider = client(server.connectString(), false, resources);
            assertNotNull(outsider.getData().forPath(zk.epochPath()));
            assertThrows(KeeperException.NoAuthException.class,
                    () -> outsider.setData().forPath(zk.epochPath(), new byte[0]));
            assertThrows(KeeperException.NoAuthException.class, () -> outsider.delete().forPath(zk.epochPath()));
            assertThrows(KeeperException.NoAuthException.class, () -> outsider.create()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(ZKPaths.makePath(zk.latchPath(), "_c_outsider-latch-")));

            first.close();
            LeaderElector second = two.get(first == two.get(0) ? 1 : 0);
            Waits.within(Duration.ofSeconds(15)).until(second::isLeader);
            assertTrue(second.epoch() > firstEpoch, second.epoch() + " after " + firstEpoch);
            System.out.println(OK + " epochs " + firstEpoch + " -> " + second.epoch());
        } finally {
            for (AutoCloseable r : resources) {
                r.close();
            }
        }
    }

    private static CuratorFramework client(String connect, boolean sasl, List<AutoCloseable> resources)
            throws InterruptedException {
        ZKClientConfig clientConfig = new ZKClientConfig();
        clientConfig.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, Boolean.toString(sasl));
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(connect)
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(clientConfig).build();
        resources.add(client);
        client.start();
        assertTrue(client.blockUntilConnected(10, TimeUnit.SECONDS));
        return client;
    }
}
