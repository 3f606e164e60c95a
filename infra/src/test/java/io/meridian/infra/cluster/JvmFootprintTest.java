package io.meridian.infra.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JvmFootprintTest {

    @Test
    void shouldBoundHeapAndMetaspaceWithSerialGc() {
        List<String> options = JvmFootprint.serverOptions("16m", "128m", "96m", true);

        assertTrue(options.containsAll(List.of("-Xms16m", "-Xmx128m", "-XX:MaxMetaspaceSize=96m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError")), options.toString());
        assertTrue(options.contains("-Djdk.nio.maxCachedBufferSize=" + JvmFootprint.MAX_CACHED_NIO_BUFFER_BYTES));
    }

    @Test
    void shouldKeepC2WhenAsked() {
        assertFalse(JvmFootprint.serverOptions("16m", "128m", "96m", false).contains("-XX:TieredStopAtLevel=1"));
    }

    @Test
    void shouldTrimTheNativeHeapOnlyWhereTheJvmKnowsHow() {
        boolean listed = JvmFootprint.serverOptions("16m", "128m", "96m", true).stream()
                .anyMatch(o -> o.startsWith("-XX:" + JvmFootprint.TRIM_NATIVE_HEAP_INTERVAL + "="));

        assertEquals(JvmFootprint.supportsFlag(JvmFootprint.TRIM_NATIVE_HEAP_INTERVAL), listed);
        assertFalse(JvmFootprint.supportsFlag("NoSuchFlagAnywhere"));
    }

    @Test
    void shouldLimitMallocArenas() {
        assertEquals("2", JvmFootprint.environment().get(JvmFootprint.MALLOC_ARENA_MAX));
    }
}
