package io.meridian.election.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.election.ElectionCandidate;
import io.meridian.election.testing.TestZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ZooKeeperEpochStoreTest {
    private static final ElectionCandidate A = new ElectionCandidate("a", "us-east", "", 0);

    private static TestZooKeeper zooKeeper;
    private static CuratorFramework client;
    private String root;
    private ZooKeeperEpochStore store;

    @BeforeAll
    static void start() throws InterruptedException {
        zooKeeper = TestZooKeeper.start();
        client = CuratorFrameworkFactory.newClient(zooKeeper.connectString(), new RetryOneTime(100));
        client.start();
        client.blockUntilConnected(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        client.close();
        zooKeeper.close();
    }

    @BeforeEach
    void newRoot() {
        root = "/epoch-test-" + UUID.randomUUID().toString().substring(0, 8);
        store = new ZooKeeperEpochStore(client, root + "/controller/epoch", Clock.systemUTC());
    }

    @Test
    void shouldHandOutStrictlyIncreasingEpochsStartingAtOne() throws Exception {
        String latch = latchNode();
        assertTrue(store.read().isEmpty());
        assertEquals(1, store.claim(latch, A));
        assertEquals(2, store.claim(latch, A));
        assertEquals(2, store.read().orElseThrow().epoch());
        assertEquals(A, store.read().orElseThrow().leader());
    }

    @Test
    void shouldNeverHandOutTheSameEpochTwiceUnderContention() throws Exception {
        String latch = latchNode();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> claims = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                claims.add(pool.submit(() -> store.claim(latch, A)));
            }
            List<Long> epochs = new ArrayList<>();
            for (Future<Long> f : claims) {
                epochs.add(f.get(20, TimeUnit.SECONDS));
            }
            Collections.sort(epochs);
            for (int i = 0; i < epochs.size(); i++) {
                assertEquals(i + 1L, epochs.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseAClaimantWhoseLatchNodeIsGone() throws Exception {
        String latch = latchNode();
        store.claim(latch, A);
        client.delete().forPath(latch);
        assertThrows(ZooKeeperEpochStore.NotLatchHolderException.class, () -> store.claim(latch, A));
        assertEquals(1, store.read().orElseThrow().epoch(), "the refused claim wrote nothing");
    }

    @Test
    void shouldRefuseToGuessWhenTheEpochNodeIsCorrupt() throws Exception {
        String latch = latchNode();
        client.create().creatingParentsIfNeeded().forPath(store.path(), "42".getBytes(StandardCharsets.UTF_8));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.claim(latch, A));
        assertTrue(e.getMessage().contains("repair it by hand"), e.getMessage());
    }

    private String latchNode() throws Exception {
        return client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(root + "/controller/latch/latch-", new byte[0]);
    }
}
