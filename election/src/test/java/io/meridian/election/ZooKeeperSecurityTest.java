package io.meridian.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.MeridianConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ZooKeeperSecurity#from}: what a node makes of the zookeeper.auth.* and zookeeper.acl settings at start. */
class ZooKeeperSecurityTest {
    private static final String SECRET = "s3cret-Pa55:with-colon";

    @TempDir
    Path dir;

    private static MeridianConfig config(String scheme, String file, String acl) {
        Map<String, Object> values = new HashMap<>();
        values.put("region", "us-east");
        values.put("regions", "us-east=http://127.0.0.1:8081");
        values.put("kafka.bootstrap.servers", "localhost:9092");
        values.put("zookeeper.auth.scheme", scheme);
        if (file != null) {
            values.put("zookeeper.auth.file", file);
        }
        values.put("zookeeper.acl", acl);
        return new MeridianConfig(values);
    }

    @Test
    void shouldBeOpenWithoutAuthenticationByDefault() {
        assertSame(ZooKeeperSecurity.open(), ZooKeeperSecurity.from(config("none", null, "open")));
        assertSame(ZooKeeperSecurity.open(), ElectionSettings.builder().build().zookeeperSecurity());
        assertTrue(ZooKeeperSecurity.open().digestAuth().isEmpty());
    }

    @Test
    void shouldReadDigestCredentialsAndNeverShowThePassword() throws Exception {
        Path file = dir.resolve("zk.secret");
        Files.writeString(file, "# ZooKeeper credentials of Meridian\n\nmeridian:" + SECRET + "\n");
        ZooKeeperSecurity security = ZooKeeperSecurity.from(config("digest", file.toString(), "creator"));
        assertEquals(ZooKeeperSecurity.Scheme.DIGEST, security.scheme());
        assertEquals(ZooKeeperSecurity.Acl.CREATOR, security.acl());
        assertEquals("meridian", security.digestUser().orElseThrow());
        // The password may contain ':'; ZooKeeper splits user:password at the first one.
        assertEquals("meridian:" + SECRET, new String(security.digestAuth().orElseThrow(), StandardCharsets.UTF_8));
        ElectionSettings settings = ElectionSettings.builder().zookeeperSecurity(security).build();
        assertFalse(security.toString().contains(SECRET), security.toString());
        assertFalse(settings.toString().contains(SECRET), settings.toString());
        assertTrue(settings.toString().contains("scheme=digest, user=meridian, acl=creator"), settings.toString());
    }

    @Test
    void shouldStopOnAMissingFileNamingTheKey() {
        Path missing = dir.resolve("absent.secret");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ZooKeeperSecurity.from(config("digest", missing.toString(), "creator-world-read")));
        assertTrue(e.getMessage().startsWith("zookeeper.auth.file=" + missing), e.getMessage());
        assertTrue(e.getMessage().contains("NoSuchFileException"), e.getMessage());
    }

    @Test
    void shouldStopOnAnUnreadableFileNamingTheKey() throws Exception {
        Path file = dir.resolve("locked.secret");
        Files.writeString(file, "meridian:" + SECRET + "\n");
        assertTrue(file.toFile().setReadable(false, false));
        try {
            if (Files.isReadable(file)) {
                // Running as root: permissions do not stop reads; a directory is unreadable as a file for everyone.
                file = dir;
            }
            Path unreadable = file;
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ZooKeeperSecurity.from(config("digest", unreadable.toString(), "creator")));
            assertTrue(e.getMessage().startsWith("zookeeper.auth.file=" + unreadable + ": cannot read"),
                    e.getMessage());
        } finally {
            dir.resolve("locked.secret").toFile().setReadable(true, true);
        }
    }

    @Test
    void shouldStopOnMalformedCredentialsWithoutQuotingThem() throws Exception {
        Path file = dir.resolve("bad.secret");
        for (String content : new String[] {SECRET.replace(":", "") + "\n", ":" + SECRET + "\n", "meridian:\n",
                "", "# only a comment\n", "meridian:" + SECRET + "\nother:" + SECRET + "\n"}) {
            Files.writeString(file, content);
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ZooKeeperSecurity.from(config("digest", file.toString(), "creator")), content);
            assertTrue(e.getMessage().startsWith("zookeeper.auth.file=" + file), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET) || e.getMessage().contains(SECRET.replace(":", "")),
                    e.getMessage());
        }
    }

    @Test
    void shouldStopOnSaslWithoutAJaasClientSection() {
        // This JVM has no JAAS configuration (tests never set one globally).
        ConfigException e = assertThrows(ConfigException.class,
                () -> ZooKeeperSecurity.from(config("sasl", null, "creator")));
        assertTrue(e.getMessage().startsWith("zookeeper.auth.scheme=sasl needs a"), e.getMessage());
        assertTrue(e.getMessage().contains("'Client' section"), e.getMessage());
    }
}
