package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LocalSettingsTest {

    @Test
    void shouldGiveSettingsToEveryNodeAndToOneRegionWithRegionsAndSetsWinning(@TempDir Path dir) throws Exception {
        Path all = dir.resolve("all.properties");
        Files.writeString(all, "failover.leader.timeout.ms=4000\nelection.backend=kafka\n");
        Path west = dir.resolve("west.properties");
        Files.writeString(west, "election.priority=3\nhealth.heartbeat.interval.ms=700\n");
        LocalSettings settings = LocalSettings.parse(List.of(all.toString(), "eu-west:" + west),
                List.of("failover.leader.timeout.ms=3000", "eu-west:election.priority=7",
                        "us-east:kafka.linger.ms=5"));
        assertEquals(Map.of("failover.leader.timeout.ms", "3000", "election.backend", "kafka"), settings.everyNode());
        assertEquals(Map.of("election.priority", "7", "health.heartbeat.interval.ms", "700"),
                settings.region("eu-west"));
        assertEquals(Map.of("kafka.linger.ms", "5"), settings.region("us-east"));
        assertEquals(Map.of(), settings.region("ap-south"));
    }

    @Test
    void shouldRefuseAnUnknownKeyNamingTheClosest() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(), List.of("ap-south:failover.enable=false")));
        assertTrue(e.getMessage().contains("'failover.enable'") && e.getMessage().contains("'failover.enabled'"),
                e.getMessage());
    }

    @Test
    void shouldRefuseAnUnknownRegionAMissingValueAndAnInvalidValue() {
        ConfigException region = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(), List.of("eu-central:election.priority=1")));
        assertTrue(region.getMessage().contains("'eu-central' is not a region"), region.getMessage());
        ConfigException shape = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(), List.of("failover.enabled")));
        assertTrue(shape.getMessage().contains("KEY=VALUE"), shape.getMessage());
        ConfigException value = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(), List.of("us-east:health.misses.to.unhealthy=1")));
        assertTrue(value.getMessage().contains("us-east") && value.getMessage().contains("health.misses.to.suspect"),
                value.getMessage());
    }

    @Test
    void shouldRefuseKeysTheDeploymentSetsItselfSayingWhatToUse(@TempDir Path dir) throws Exception {
        ConfigException port = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(), List.of("http.port=9000")));
        assertTrue(port.getMessage().contains("--base-port"), port.getMessage());
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "state.dir=/tmp/x\n");
        ConfigException state = assertThrows(ConfigException.class,
                () -> LocalSettings.parse(List.of(file.toString()), List.of()));
        assertTrue(state.getMessage().contains(file.toString()) && state.getMessage().contains("--data-dir"),
                state.getMessage());
    }

    @Test
    void localShouldStopBeforeStartingAnythingOnABadSetting() {
        CommandLine line = new CommandLine(new LocalCommand());
        PrintStreamCapture capture = new PrintStreamCapture();
        int code;
        try (capture) {
            code = line.execute("--data-dir", "/nonexistent/never-created", "--set", "failover.enable=false");
        }
        assertEquals(2, code);
        assertTrue(capture.text().contains("did you mean 'failover.enabled'"), capture.text());
    }

    /** System.err of the command, for the duration of a try block. */
    private static final class PrintStreamCapture implements AutoCloseable {
        private final java.io.PrintStream original = System.err;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        PrintStreamCapture() {
            System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        }

        String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
