package io.meridian.infra.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigKeysTest {
    private static final String MINIMAL = "region=us-east\nregions=us-east=http://a:1\n"
            + "kafka.bootstrap.servers=k:9092\n";

    @Test
    void shouldStopOnAMistypedVariableNamingTheClosestKnownOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, MINIMAL);
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigKeys.load(file, Map.of("MERIDIAN_FAILOVER_ENABLE", "false")));
        assertTrue(e.getMessage().contains("MERIDIAN_FAILOVER_ENABLE ")
                && e.getMessage().contains("did you mean MERIDIAN_FAILOVER_ENABLED"), e.getMessage());
    }

    @Test
    void shouldStopOnAMistypedKeyInTheFileNamingTheFileAndTheClosestKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, MINIMAL + "health.heartbeat.intervall.ms=500\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigKeys.load(file, Map.of()));
        assertTrue(e.getMessage().contains("'health.heartbeat.intervall.ms' in " + file)
                && e.getMessage().contains("did you mean 'health.heartbeat.interval.ms'"), e.getMessage());
    }

    @Test
    void shouldCheckKafkaClientKeysAgainstKafkasOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, MINIMAL + "kafka.security.protocol=PLAINTEXT\nkafka.max.request.size=2000000\n");
        MeridianConfig config = ConfigKeys.load(file, Map.of("MERIDIAN_KAFKA_LINGER_MS", "5"));
        assertEquals("5", config.kafkaClientProperties().get("linger.ms"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigKeys.load(file, Map.of("MERIDIAN_KAFKA_SECURITY_PROTOCL", "SSL")));
        assertTrue(e.getMessage().contains("did you mean MERIDIAN_KAFKA_SECURITY_PROTOCOL"), e.getMessage());
    }

    @Test
    void shouldLeaveOtherVariablesOfTheLaunchersAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, MINIMAL);
        MeridianConfig config = ConfigKeys.load(file, Map.of("MERIDIAN_JAVA_OPTS", "-Xmx1g",
                "MERIDIAN_URL", "http://x:1", "MERIDIAN_HOME", "/opt/meridian", "PATH", "/bin"));
        assertEquals("us-east", config.region());
    }

    @Test
    void shouldSuggestNothingForAKeyUnlikeAnyOther() {
        assertEquals(Optional.empty(), ConfigKeys.closest("completely.different.thing.altogether.xyz"));
        assertEquals(Optional.of("failover.enabled"), ConfigKeys.closest("failover.enable"));
        assertEquals(3, ConfigKeys.distance("kitten", "sitting"));
    }

    @Test
    void shouldListEveryKeyInTheSettingsTable() {
        String table = ConfigKeys.markdownTable();
        for (String key : ConfigKeys.names()) {
            assertTrue(table.contains("| `" + key + "` (`" + ConfigKeys.environmentName(key) + "`) |"), key);
        }
        assertTrue(table.contains("| `failover.enabled` (`MERIDIAN_FAILOVER_ENABLED`) | `true` |"), table);
        assertTrue(table.contains("| `region` (`MERIDIAN_REGION`) | (required) |"), table);
    }
}
