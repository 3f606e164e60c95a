package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.cli.MeridianCtl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code bin/meridianctl} commands of docs/disaster-recovery.md, run in this JVM against a {@link LocalFixture}'s
 * nodes. {@link #run} takes a command only if the runbook has it, word for word, so the test drives what operators read.
 */
final class Runbook {
    static final String FILE = "docs/disaster-recovery.md";

    private final LocalFixture local;
    private final List<List<String>> documented = new ArrayList<>();

    Runbook(LocalFixture local) {
        this.local = local;
        for (String line : commandLines(text())) {
            documented.add(words(line));
        }
    }

    /** The {@code bin/meridianctl} lines of the runbook's fenced shell blocks, as written. */
    static List<String> commandLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inShell = false;
        for (String line : markdown.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("```")) {
                inShell = !inShell && (trimmed.equals("```bash") || trimmed.equals("```sh"));
            } else if (inShell && trimmed.startsWith("bin/meridianctl ")) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    /** The outcome of one command. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code line}, which must be a command of the runbook, against {@code region}'s node. */
    Result run(String region, String line) {
        List<String> words = words(line);
        assertTrue(documented.contains(words), "not a command of " + FILE + ": " + line);
        return execute(region, words);
    }

    /** Runs a command the runbook does not show (a refusal the runbook only describes). */
    Result runUndocumented(String region, String line) {
        return execute(region, words(line));
    }

    private Result execute(String region, List<String> words) {
        Map<String, String> env = Map.of("MERIDIAN_URL", local.url(region), "MERIDIAN_ADMIN_TOKEN", local.token(),
                "MERIDIAN_KAFKA_BOOTSTRAP_SERVERS", local.deployment().kafka().bootstrapServers());
        CommandLine cl = MeridianCtl.commandLine(new MeridianCtl(env, List.of(local.dataDir())));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(words.toArray(String[]::new));
        Result result = new Result(exit, out.toString(), err.toString());
        System.out.println("$ meridianctl " + String.join(" ", words) + "   (via " + region + ")\n" + result);
        return result;
    }

    /** The arguments after {@code bin/meridianctl}: blanks split words outside double quotes; {@code #} starts a comment. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
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
            throw new IllegalArgumentException("not a meridianctl line: " + line);
        }
        return words.subList(1, words.size());
    }

    /** The runbook, found from the working directory up. */
    static String text() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(FILE))) {
                try {
                    return Files.readString(d.resolve(FILE));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no " + FILE + " above " + Path.of("").toAbsolutePath());
    }
}
