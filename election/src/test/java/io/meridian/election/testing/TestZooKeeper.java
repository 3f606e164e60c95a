package io.meridian.election.testing;

import io.meridian.infra.cluster.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real ZooKeeper server of one test class (Meridian's {@link EmbeddedZooKeeper}: tick 500 ms, sessions from 1 s), in a
 * temporary directory deleted on close. Outage tests stop and restart it; other test classes are unaffected.
 */
public final class TestZooKeeper implements AutoCloseable {
    private final Path dir;
    private final EmbeddedZooKeeper server;

    private TestZooKeeper(Path dir, EmbeddedZooKeeper server) {
        this.dir = dir;
        this.server = server;
    }

    public static TestZooKeeper start() {
        try {
            Path dir = Files.createTempDirectory("meridian-election-zk-");
            return new TestZooKeeper(dir, EmbeddedZooKeeper.start(dir, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String connectString() {
        return server.connectString();
    }

    public EmbeddedZooKeeper server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Only a temporary directory.
        }
    }
}
