package io.meridian.bench;

import io.meridian.node.Meridian;

/**
 * Main class of {@code meridian-bench.jar}: the {@code meridian} launcher's command line with {@code bench} added,
 * so {@code bin/meridian bench ...} parses, prints help and exits exactly as when the launcher carried the bench.
 */
public final class BenchLauncher {

    private BenchLauncher() {
    }

    public static void main(String[] args) {
        System.exit(Meridian.commandLine(new BenchCommand()).execute(args));
    }
}
