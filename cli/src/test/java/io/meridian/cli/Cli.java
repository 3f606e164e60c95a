package io.meridian.cli;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code meridianctl} in this JVM with a given environment, capturing stdout and stderr. Thread-safe. */
final class Cli {
    private final Map<String, String> env;
    private final List<Path> homes;

    Cli(Map<String, String> env, Path home) {
        this.env = env;
        this.homes = List.of(home);
    }

    /** The outcome of one run. */
    record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Result run(String... args) {
        return run(new StringWriter(), new StringWriter(), args);
    }

    /** With {@code input} as what the operator types (answers to questions); other runs type nothing. */
    Result runTyping(String input, String... args) {
        return run(input, new StringWriter(), new StringWriter(), args);
    }

    /** With caller-owned writers, so a test can look at the output of a run that has not ended yet. */
    Result run(StringWriter out, StringWriter err, String... args) {
        return run("", out, err, args);
    }

    private Result run(String input, StringWriter out, StringWriter err, String... args) {
        CommandLine cl = MeridianCtl.commandLine(new MeridianCtl(env, homes).withInput(new StringReader(input)));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
