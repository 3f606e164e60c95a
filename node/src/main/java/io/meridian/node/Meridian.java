package io.meridian.node;

import io.meridian.node.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meridian} launcher: {@code local} (the embedded default), {@code node}, {@code bench}. */
@Command(name = "meridian", mixinStandardHelpOptions = true, version = "meridian 0.1.0",
        description = "Multi-region tenant replication on Apache Kafka.",
        subcommands = {LocalCommand.class, NodeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Meridian implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Meridian()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
