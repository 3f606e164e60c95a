package io.meridian.node;

import io.meridian.infra.config.ConfigKeys;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code meridian settings}: every configuration key a node knows, as the README's table. */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = "Print every configuration key a node knows (with its MERIDIAN_* variable, default and meaning)"
                + " as a Markdown table. A node stops on any other key.")
final class SettingsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(ConfigKeys.markdownTable());
        return 0;
    }
}
