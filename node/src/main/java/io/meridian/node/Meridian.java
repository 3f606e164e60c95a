package io.meridian.node;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code meridian} launcher: {@code local} (the embedded default), {@code node}, {@code settings}. The benchmark
 * lives in its own module ({@code bench/}), which adds its {@code bench} subcommand to this command line through
 * {@link #commandLine(Object...)}; {@code bin/meridian bench} runs that module's jar.
 */
@Command(name = "meridian", mixinStandardHelpOptions = true, version = "meridian 0.1.0",
        description = "Multi-region tenant replication on Apache Kafka.",
        subcommands = {LocalCommand.class, NodeCommand.class, SettingsCommand.class, CommandLine.HelpCommand.class})
public final class Meridian implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The launcher's command line with {@code extraSubcommands} listed after its own, before {@code help}. */
    public static CommandLine commandLine(Object... extraSubcommands) {
        CommandLine line = new CommandLine(new Meridian());
        if (extraSubcommands.length == 0) {
            // This jar does not carry the benchmark; say where it is.
            line.getCommandSpec().usageMessage().footer("", "Benchmarks: bin/meridian bench --help (module bench/).");
            return line;
        }
        line.getCommandSpec().removeSubcommand("help");
        for (Object extra : extraSubcommands) {
            line.addSubcommand(extra);
        }
        return line.addSubcommand(new CommandLine.HelpCommand());
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
