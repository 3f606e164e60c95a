package io.meridian.bench.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalProcessesTest {
    private static final Path ROOT = Path.of("/srv/meridian/.meridian/local");

    @Test
    void shouldRecognizeARegionNodeOfTheDataDirectory() {
        List<String> args = List.of("-Xmx768m", "-cp", "a.jar:b.jar", LocalProcesses.NODE_MAIN, "--config",
                ROOT + "/nodes/eu-west.properties", "--parent-pid", "3678");
        Optional<WatchedProcess> node = LocalProcesses.classify(42, args, ROOT);
        assertEquals(Optional.of(new WatchedProcess(WatchedProcess.Role.NODE, "eu-west", 42,
                ROOT.resolve("nodes/eu-west.properties"))), node);
        assertEquals(Optional.of(3678L), LocalProcesses.parentPid(args));
    }

    @Test
    void shouldRecognizeAKafkaNodeOfTheDataDirectory() {
        List<String> args = List.of("-Xmx768m", "-Dmeridian.kafka.node=broker-2", "@" + ROOT + "/kafka/broker-2/java.args",
                LocalProcesses.BROKER_MAIN, "3678", ROOT + "/kafka/broker-2/server.properties");
        Optional<WatchedProcess> broker = LocalProcesses.classify(43, args, ROOT);
        assertEquals(WatchedProcess.Role.BROKER, broker.orElseThrow().role());
        assertEquals("broker-2", broker.orElseThrow().name());
        assertEquals("kafka broker-2", broker.orElseThrow().label());
        assertEquals(Optional.of(3678L), LocalProcesses.parentPid(args));
    }

    @Test
    void shouldIgnoreProcessesOfAnotherDataDirectoryAndOthers() {
        assertTrue(LocalProcesses.classify(1, List.of(LocalProcesses.NODE_MAIN, "--config",
                "/tmp/meridian-bench-1/nodes/us-east.properties"), ROOT).isEmpty());
        assertTrue(LocalProcesses.classify(1, List.of(LocalProcesses.BROKER_MAIN, "-1",
                "/tmp/other/kafka/broker-0/server.properties"), ROOT).isEmpty());
        assertTrue(LocalProcesses.classify(1, List.of("-jar", "app.jar"), ROOT).isEmpty());
        assertTrue(LocalProcesses.parentPid(List.of(LocalProcesses.BROKER_MAIN, "-1", "x")).isEmpty());
    }

    @Test
    void shouldNameTheNodesMainClassThatExists() throws ClassNotFoundException {
        Class.forName(LocalProcesses.NODE_MAIN, false, getClass().getClassLoader());
    }

    @Test
    void shouldAlwaysWatchThisJvm() {
        List<WatchedProcess> found = LocalProcesses.find(Path.of("/nonexistent/meridian"));
        assertEquals(List.of(new WatchedProcess(WatchedProcess.Role.BENCH, "(this JVM)", ProcessHandle.current().pid(),
                null)), found);
    }
}
