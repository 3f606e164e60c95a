package io.meridian.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The picocli mixin of meridianctl's command groups ({@code tenants}, {@code replication}, {@code migrate},
 * {@code events}): the root command's settings and the error for a group called without its subcommand.
 */
@Command
final class CommandGroup {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The {@code meridianctl} command: --url, --token, --bootstrap, --output and what they resolve to. */
    MeridianCtl root() {
        return (MeridianCtl) spec.parent().userObject();
    }

    /** The group's command line (its output streams, its usage). */
    CommandLine commandLine() {
        return spec.commandLine();
    }

    /** A group named without a subcommand: lists the ones it has. */
    CommandLine.ParameterException missingCommand(String commands) {
        return new CommandLine.ParameterException(spec.commandLine(), "Missing command: " + commands);
    }
}
