package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every {@code bin/meridianctl ...} line in a shell block of docs/disaster-recovery.md is a real command: picocli
 * parses it (command, options, arguments, values) without running it. The runbook's procedures are driven on a running
 * deployment by LocalDeploymentTest; this keeps the others (loss of ZooKeeper, of the Kafka cluster) from naming
 * commands that do not exist.
 */
class RunbookCommandsTest {
    static final String RUNBOOK = "docs/disaster-recovery.md";

    @Test
    void everyMeridianctlLineOfTheRunbookParsesAsARealCommand() throws IOException {
        List<String> lines = commandLines(Files.readString(root().resolve(RUNBOOK)));
        assertTrue(lines.size() >= 30, "too few meridianctl lines found: " + lines);
        Set<String> commands = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (String line : lines) {
            try {
                ParseResult parsed = parse(line);
                ParseResult leaf = parsed;
                StringBuilder name = new StringBuilder();
                while (leaf.hasSubcommand()) {
                    leaf = leaf.subcommand();
                    name.append(name.isEmpty() ? "" : " ").append(leaf.commandSpec().name());
                }
                if (leaf.commandSpec().subcommands().size() > 0 && !leaf.commandSpec().name().equals("help")) {
                    failures.add(line + ": a command group, not a command");
                }
                commands.add(name.toString());
            } catch (CommandLine.ParameterException e) {
                failures.add(line + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures);
        // Each procedure's key commands are there.
        for (String expected : List.of("replication failover", "replication health", "verify", "region reseed",
                "migrate start", "sync status", "replication election", "tenants place")) {
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
    void splitsLikeAShell() {
        assertEquals(List.of("replication", "pause-failover", "--reason", "disk swap, OPS-42"),
                words("bin/meridianctl replication pause-failover --reason \"disk swap, OPS-42\"   # a comment"));
        assertEquals(List.of("verify", "--tenant", "a#b"), words("bin/meridianctl verify --tenant 'a#b'"));
    }

    private static ParseResult parse(String line) {
        CommandLine cl = MeridianCtl.commandLine(new MeridianCtl(Map.of(), List.of()));
        return cl.parseArgs(words(line).toArray(String[]::new));
    }

    /** The {@code bin/meridianctl} lines of the runbook's fenced shell blocks, as written. */
    static List<String> commandLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inShell = false;
        for (String line : markdown.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("```")) {
                inShell = !inShell && (trimmed.equals("```bash") || trimmed.equals("```sh"));
                continue;
            }
            if (inShell && trimmed.startsWith("bin/meridianctl ")) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    /** The arguments after {@code bin/meridianctl}: split on blanks outside quotes, up to a {@code #} comment. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        if (words.isEmpty() || !words.get(0).equals("bin/meridianctl")) {
            fail("not a meridianctl line: " + line);
        }
        return words.subList(1, words.size());
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(RUNBOOK))) {
                return d;
            }
        }
        throw new IllegalStateException("no " + RUNBOOK + " above " + Path.of("").toAbsolutePath());
    }
}
