package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Unusable ZooKeeper security settings stop {@code meridian node} at start, before it contacts Kafka or ZooKeeper,
 * with exit status 2 and a message naming the key (the ports below have nothing listening).
 */
class ZooKeeperSettingsStartTest {
    private static final String SECRET = "do-not-print-me";

    @TempDir
    Path dir;

    @Test
    void shouldStopOnAMissingCredentialsFileNamingTheKey() throws Exception {
        Path missing = dir.resolve("zk.secret");
        String err = run("zookeeper.auth.scheme=digest\nzookeeper.auth.file=" + missing + "\nzookeeper.acl=creator\n");
        assertTrue(err.contains("meridian node: invalid configuration: zookeeper.auth.file=" + missing), err);
    }

    @Test
    void shouldStopOnMalformedCredentialsWithoutPrintingThem() throws Exception {
        Path file = dir.resolve("zk.secret");
        Files.writeString(file, "meridian " + SECRET + "\n");
        String err = run("zookeeper.auth.scheme=digest\nzookeeper.auth.file=" + file + "\nzookeeper.acl=creator\n");
        assertTrue(err.contains("invalid configuration: zookeeper.auth.file=" + file + ": the line is not"), err);
        assertFalse(err.contains(SECRET), err);
    }

    @Test
    void shouldStopOnACreatorAclWithoutCredentialsNamingBothKeys() throws Exception {
        String err = run("zookeeper.acl=creator\n");
        assertTrue(err.contains("invalid configuration: zookeeper.acl=creator needs zookeeper.auth.scheme"), err);
    }

    @Test
    void shouldStopOnSaslWithoutAJaasClientSection() throws Exception {
        String err = run("zookeeper.auth.scheme=sasl\nzookeeper.acl=creator-world-read\n");
        assertTrue(err.contains("invalid configuration: zookeeper.auth.scheme=sasl needs a"), err);
    }

    /** Runs {@code meridian node --config FILE} and returns what it printed on stderr, asserting exit status 2. */
    private String run(String zookeeperSettings) throws Exception {
        Path config = dir.resolve("node.properties");
        Files.writeString(config, "region=us-east\nregions=us-east=http://127.0.0.1:1\n"
                + "kafka.bootstrap.servers=127.0.0.1:1\nzookeeper.connect=127.0.0.1:1\nstate.dir=" + dir.resolve("state")
                + "\n" + zookeeperSettings);
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int status;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            status = new CommandLine(new NodeCommand()).execute("--config", config.toString());
        } finally {
            System.setErr(original);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, err);
        return err;
    }
}
