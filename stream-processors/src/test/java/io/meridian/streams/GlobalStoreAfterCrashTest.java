package io.meridian.streams;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The placement view's global store is discarded at start unless the applier closed cleanly: Kafka Streams 4.4 cannot
 * reopen a global store a crash left open under exactly-once (KAFKA-21034; {@code bench scale}'s node restarted after
 * {@code kill -9} failed with "Global thread has died" on every start).
 */
class GlobalStoreAfterCrashTest {
    @TempDir
    Path state;

    @Test
    void shouldDiscardTheGlobalStoreWhenTheLastCloseWasNotClean() throws Exception {
        Path global = state.resolve("meridian-applier-us-east").resolve("global");
        Files.createDirectories(global.resolve("rocksdb").resolve("placements"));
        Files.writeString(global.resolve("rocksdb").resolve("placements").resolve("000042.sst"), "data");
        Path mark = state.resolve(RegionStreams.CLEAN_CLOSE_MARK);

        RegionStreams.discardGlobalStoreAfterCrash(global, mark);

        assertFalse(Files.exists(global), "no clean-close mark: the store is rebuilt from meridian.placements");
    }

    @Test
    void shouldKeepTheGlobalStoreAfterACleanCloseAndConsumeTheMark() throws Exception {
        Path global = Files.createDirectories(state.resolve("meridian-applier-us-east").resolve("global"));
        Path mark = Files.writeString(state.resolve(RegionStreams.CLEAN_CLOSE_MARK), "closed");

        RegionStreams.discardGlobalStoreAfterCrash(global, mark);

        assertTrue(Files.isDirectory(global), "a cleanly closed store is kept: a restart does not rebuild the view");
        assertFalse(Files.exists(mark), "the start consumes the mark, so a crash from now on is seen as one");
    }

    @Test
    void shouldDoNothingOnAFirstStart() {
        Path global = state.resolve("meridian-applier-us-east").resolve("global");

        RegionStreams.discardGlobalStoreAfterCrash(global, state.resolve(RegionStreams.CLEAN_CLOSE_MARK));

        assertFalse(Files.exists(global));
    }
}
