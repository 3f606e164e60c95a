package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.cli.MeridianCtl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every {@code bin/meridianctl ...} line in a shell block of docs/disaster-recovery.md is a real command: meridianctl's
 * picocli command line parses it (command, options, arguments, values) without running it. LocalDeploymentTest runs
 * the procedures that can be driven on {@code meridian local}; this keeps the others (loss of ZooKeeper, of the Kafka
 * cluster) from naming commands that do not exist. No deployment: a plain unit test.
 */
class RunbookCommandsTest {
    @Test
    void everyMeridianctlLineOfTheRunbookParsesAsARealCommand() {
        List<String> lines = Runbook.commandLines(Runbook.text());
        assertTrue(lines.size() >= 30, "too few meridianctl lines found: " + lines);
        Set<String> commands = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (String line : lines) {
            try {
                ParseResult leaf = parse(line);
                List<String> name = new ArrayList<>();
                while (leaf.hasSubcommand()) {
                    leaf = leaf.subcommand();
                    name.add(leaf.commandSpec().name());
                }
                if (!leaf.commandSpec().subcommands().isEmpty()) {
                    failures.add(line + ": a command group, not a command");
                }
                commands.add(String.join(" ", name));
            } catch (CommandLine.ParameterException e) {
                failures.add(line + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures);
        for (String expected : List.of("replication failover", "replication health", "replication election", "verify",
                "region reseed", "migrate start", "sync status", "tenants place", "events tail")) {
            assertTrue(commands.contains(expected), expected + " missing from the runbook: " + commands);
        }
    }

    @Test
    void theParseRefusesWhatIsNotACommand() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("bin/meridianctl region restore ap-south"));
        assertThrows(CommandLine.ParameterException.class,
                () -> parse("bin/meridianctl replication failover us-east --target"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("bin/meridianctl verify --region eu-west"));
    }

    @Test
    void splitsLikeAShellUpToAComment() {
        assertEquals(List.of("replication", "pause-failover", "--reason", "disk swap, OPS-42"),
                Runbook.words("bin/meridianctl replication pause-failover --reason \"disk swap, OPS-42\"   # a comment"));
        assertEquals(List.of("verify", "--tenant", "a#b"), Runbook.words("bin/meridianctl verify --tenant a#b"));
        assertEquals(List.of("tenants", "list"), Runbook.commandLines("text\n```bash\nbin/meridianctl tenants list\n```\n"
                + "bin/meridianctl not in a block\n```\nbin/meridianctl not a shell block\n```\n").stream()
                .map(Runbook::words).findFirst().orElseThrow());
    }

    private static ParseResult parse(String line) {
        CommandLine cl = MeridianCtl.commandLine(new MeridianCtl(Map.of(), List.of()));
        return cl.parseArgs(Runbook.words(line).toArray(String[]::new));
    }
}
