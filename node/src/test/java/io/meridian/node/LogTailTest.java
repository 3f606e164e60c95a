package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that exits during start is reported with the end of its log, which the test's temporary directory loses. */
class LogTailTest {
    @Test
    void shouldQuoteTheLastLinesOfTheLog(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("eu-west.log");
        Files.writeString(log, IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i)
                .collect(Collectors.joining("\n")));

        assertEquals(IntStream.rangeClosed(11, 50).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")),
                LocalDeployment.tail(log, 40));
        assertEquals("line 49\nline 50", LocalDeployment.tail(log, 2));
        assertTrue(LocalDeployment.tail(dir.resolve("missing.log"), 40).startsWith("(cannot read it: "));
    }
}
