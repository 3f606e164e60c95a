package io.meridian.infra.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class EmbeddedZooKeeperTest {

    private static final byte[] DATA = "leader=us-east".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void znodeSurvivesStopAndRestartOnTheSamePort() throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0)) {
            String connect = zk.connectString();
            assertTrue(connect.startsWith("127.0.0.1:"), connect);

            ZooKeeper client = connect(connect);
            try {
                client.create("/meridian", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.stop();
                assertFalse(zk.isRunning());
                // The outage is visible to clients: requests fail while the server is down.
                await("client notices the outage").atMost(Duration.ofSeconds(20))
                        .until(() -> !client.getState().isConnected());

                zk.restart();
                assertTrue(zk.isRunning());
                assertEquals(connect, zk.connectString(), "same address after restart");
                // The same session reconnects on its own (the outage was shorter than its timeout).
                await("client reconnects").atMost(Duration.ofSeconds(20))
                        .until(() -> client.getState().isConnected());
                assertArrayEquals(DATA, client.getData("/meridian", false, null));
            } finally {
                client.close();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dataSurvivesANewServerOnTheSameDirectory() throws Exception {
        int port;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0)) {
            port = zk.port();
            ZooKeeper client = connect(zk.connectString());
            try {
                client.create("/tenant", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } finally {
                client.close();
            }
        }
        // As after a JVM restart: a new instance on the same directory, port 0 prefers the old port.
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0)) {
            assertEquals(port, zk.port());
            ZooKeeper client = connect(zk.connectString());
            try {
                assertArrayEquals(DATA, client.getData("/tenant", false, null));
            } finally {
                client.close();
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closeIsIdempotentAndRestartAfterCloseIsRefused() {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0);
        zk.close();
        assertDoesNotThrow(zk::close);
        assertFalse(zk.isRunning());
        assertThrows(IllegalStateException.class, zk::restart);
    }

    private static ZooKeeper connect(String connectString) throws IOException {
        ZooKeeper client = new ZooKeeper(connectString, 10_000, event -> { });
        await("client connected to " + connectString).atMost(Duration.ofSeconds(20))
                .until(() -> client.getState().isConnected());
        return client;
    }
}
