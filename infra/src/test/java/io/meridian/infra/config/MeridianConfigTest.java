package io.meridian.infra.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeridianConfigTest {
    private static Map<String, Object> minimal() {
        Map<String, Object> values = new HashMap<>();
        values.put("region", "us-east");
        values.put("regions", "us-east=http://127.0.0.1:8081,eu-west=https://eu.example.com/");
        values.put("kafka.bootstrap.servers", "localhost:9092");
        return values;
    }

    @Test
    void shouldNameThisNodeForItsRegionsOtherNodesByItsAdvertisedUrl() {
        MeridianConfig alone = new MeridianConfig(minimal());
        assertEquals("127.0.0.1:8080", alone.nodeEndpoint(), "the region URL's host and http.port");
        assertEquals("http", alone.nodeScheme());
        assertEquals(1, alone.streamsNumStandbyReplicas());
        assertEquals(java.time.Duration.ofSeconds(10), alone.routingRebalanceWait());

        Map<String, Object> values = minimal();
        values.put("advertised.url", "http://10.0.0.7:9001");
        assertEquals("10.0.0.7:9001", new MeridianConfig(values).nodeEndpoint());
        values.put("advertised.url", "https://node-2.us-east.example.com");
        MeridianConfig tls = new MeridianConfig(values);
        assertEquals("node-2.us-east.example.com:443", tls.nodeEndpoint());
        assertEquals("https", tls.nodeScheme());
    }

    @Test
    void shouldApplySafeDefaults() {
        MeridianConfig config = new MeridianConfig(minimal());
        assertEquals(3, config.replicationFactor());
        assertEquals(2, config.minInsyncReplicas());
        assertEquals("", config.adminToken());
        assertEquals("us-east-8080", config.nodeId());
        assertEquals(URI.create("https://eu.example.com"), config.regionUrls().get("eu-west"));
        assertEquals("us-east", config.kafkaClientProperties().get("client.rack"));
    }

    @Test
    void environmentOverridesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "region=us-east\nregions=us-east=http://a:1\nkafka.bootstrap.servers=k:9092\nhttp.port=9000\n");
        MeridianConfig config = MeridianConfig.load(file, Map.of("MERIDIAN_HTTP_PORT", "9001",
                "MERIDIAN_ADMIN_TOKEN", "s3cret", "PATH", "/bin"));
        assertEquals(9001, config.httpPort());
        assertEquals("s3cret", config.adminToken());
    }

    @Test
    void shouldNameTheKeyOfAnInvalidValue() {
        Map<String, Object> values = minimal();
        values.put("http.port", "99999");
        ConfigException e = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(e.getMessage().contains("http.port"), e.getMessage());
    }

    @Test
    void shouldRequireTheRegionAmongRegions() {
        Map<String, Object> values = minimal();
        values.put("region", "ap-south");
        ConfigException e = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(e.getMessage().contains("region=ap-south") && e.getMessage().contains("regions"), e.getMessage());
    }

    @Test
    void shouldRejectRegionUrlsThatAreNotAbsoluteHttp() {
        Map<String, Object> values = minimal();
        values.put("regions", "us-east=ftp://x");
        ConfigException e = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(e.getMessage().contains("regions"), e.getMessage());
    }

    @Test
    void shouldRejectMinInsyncAboveReplicationNamingBothKeys() {
        Map<String, Object> values = minimal();
        values.put("topics.replication.factor", "1");
        ConfigException e = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(e.getMessage().contains("topics.min.insync.replicas=2")
                && e.getMessage().contains("topics.replication.factor=1"), e.getMessage());
    }

    @Test
    void shouldRequireKafkaBootstrapServers() {
        Map<String, Object> values = minimal();
        values.remove("kafka.bootstrap.servers");
        ConfigException e = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(e.getMessage().contains("kafka.bootstrap.servers"), e.getMessage());
    }

    @Test
    void shouldKeepZooKeeperOpenByDefault() {
        MeridianConfig config = new MeridianConfig(minimal());
        assertEquals("none", config.zookeeperAuthScheme());
        assertEquals("open", config.zookeeperAcl());
        assertTrue(config.zookeeperAuthFile().isEmpty());
    }

    @Test
    void shouldRejectBadZooKeeperSecuritySettingsNamingTheKeys() {
        Map<String, Object> values = minimal();
        values.put("zookeeper.auth.scheme", "kerberos");
        ConfigException scheme = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(scheme.getMessage().contains("zookeeper.auth.scheme"), scheme.getMessage());

        values.remove("zookeeper.auth.scheme");
        values.put("zookeeper.acl", "private");
        ConfigException acl = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(acl.getMessage().contains("zookeeper.acl"), acl.getMessage());

        values.put("zookeeper.acl", "creator");
        ConfigException anonymous = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(anonymous.getMessage().contains("zookeeper.acl=creator")
                && anonymous.getMessage().contains("zookeeper.auth.scheme"), anonymous.getMessage());

        values.put("zookeeper.auth.scheme", "digest");
        ConfigException noFile = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(noFile.getMessage().contains("zookeeper.auth.file"), noFile.getMessage());

        values.put("zookeeper.auth.scheme", "sasl");
        values.put("zookeeper.auth.file", "/etc/meridian/zk.secret");
        ConfigException fileWithSasl = assertThrows(ConfigException.class, () -> new MeridianConfig(values));
        assertTrue(fileWithSasl.getMessage().contains("zookeeper.auth.file")
                && fileWithSasl.getMessage().contains("zookeeper.auth.scheme=sasl"), fileWithSasl.getMessage());

        values.put("zookeeper.auth.scheme", "digest");
        MeridianConfig digest = new MeridianConfig(values);
        assertEquals(Path.of("/etc/meridian/zk.secret"), digest.zookeeperAuthFile().orElseThrow());
    }
}
