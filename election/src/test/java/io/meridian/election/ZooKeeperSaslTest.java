package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zookeeper.auth.scheme=sasl} with {@code zookeeper.acl=creator-world-read}: SASL DIGEST-MD5 between the
 * election's client and a real ZooKeeper that requires it for Meridian's znodes. JAAS configuration is JVM-wide (a
 * {@code Client} section makes every ZooKeeper client of the JVM try SASL), so {@link ZooKeeperSaslCheck} runs in a
 * JVM of its own and this test judges its exit status and output.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperSaslTest {
    private static final String PASSWORD = "sasl-secret";

    @Test
    void shouldElectOverSaslDigestMd5OnZnodesOnlyItsPrincipalMayChange(@TempDir Path dir) throws Exception {
        Path jaas = dir.resolve("jaas.conf");
        Files.writeString(jaas, """
                Server {
                  org.apache.zookeeper.server.auth.DigestLoginModule required user_%1$s="%2$s";
                };
                Client {
                  org.apache.zookeeper.server.auth.DigestLoginModule required username="%1$s" password="%2$s";
                };
                """.formatted(ZooKeeperSaslCheck.USER, PASSWORD));
        Path output = dir.resolve("check.log");
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Djava.security.auth.login.config=" + jaas,
                "-Dzookeeper.authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
                "-cp", System.getProperty("java.class.path"),
                ZooKeeperSaslCheck.class.getName(), dir.resolve("zookeeper").toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean exited = process.waitFor(100, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(exited, "the check did not finish in time:\n" + log);
        assertEquals(0, process.exitValue(), log);
        assertTrue(log.contains(ZooKeeperSaslCheck.OK), log);
    }
}
