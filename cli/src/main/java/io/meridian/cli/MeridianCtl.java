package io.meridian.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code meridianctl}, the operator command line: tenants and placements, replication (election, health, failover),
 * migrations (start, status, list, cancel, watch) over a node's HTTP API, and the raw event stream straight from
 * Kafka. The global options apply to every command and may be given before or after it.
 *
 * <p>Defaults come from the environment ({@code MERIDIAN_URL}, {@code MERIDIAN_ADMIN_TOKEN},
 * {@code MERIDIAN_TOKEN_FILE}, {@code MERIDIAN_KAFKA_BOOTSTRAP_SERVERS}) and, on a machine running
 * {@code meridian local}, from its
 * {@code .meridian/local} directory (the admin token it made, the bootstrap servers in
 * {@code nodes/us-east.properties}), looked up in the working directory and then in {@code MERIDIAN_HOME}.
 * One instance per run.
 */
@Command(name = "meridianctl", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        version = "meridianctl 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Operate Meridian: tenants, replication, migrations, events.",
        subcommands = {TenantsCommand.class, ReplicationCommand.class, MigrateCommand.class, EventsCommand.class,
                SyncCommand.class, RegionCommand.class, FailbackCommand.class, DlqCommand.class, VerifyCommand.class,
                ApiKeyCommand.class,
                AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the node refused the request (4xx), 2 usage, 3 node or Kafka unreachable"
                + " or 5xx, 4 a watched migration failed or was cancelled, 5 internal error, 6 replication health"
                + " not healthy, 7 not confirmed, 10 verify found replica regions that differ.",
                "Shell completion: source <(meridianctl generate-completion)"})
public final class MeridianCtl implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8081";
    static final String LOCAL_DIR = ".meridian/local";
    static final String LOCAL_NODE_FILE = LOCAL_DIR + "/nodes/us-east.properties";
    static final String LOCAL_TOKEN_FILE = LOCAL_DIR + "/admin-token";
    static final String BOOTSTRAP_KEY = "kafka.bootstrap.servers";

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL", order = 1,
            description = {"A node's base URL. Default: env MERIDIAN_URL, else", DEFAULT_URL})
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN", order = 2,
            description = {"Admin bearer token.", "Default: env MERIDIAN_ADMIN_TOKEN, else the token of"
                    + " 'meridian local' in", LOCAL_TOKEN_FILE})
    String token;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE", order = 2,
            description = {"Read the admin token from FILE (its first line), so it stays out of the process list and"
                    + " shell history. Default: env MERIDIAN_TOKEN_FILE."})
    Path tokenFile;

    @Option(names = "--bootstrap", scope = ScopeType.INHERIT, paramLabel = "SERVERS", order = 3,
            description = {"Kafka bootstrap servers (migrate watch, events tail).",
                    "Default: env MERIDIAN_KAFKA_BOOTSTRAP_SERVERS, else", BOOTSTRAP_KEY + " in", LOCAL_NODE_FILE})
    String bootstrap;

    @Option(names = "--command-config", scope = ScopeType.INHERIT, paramLabel = "FILE", order = 3,
            description = {"Kafka client properties for the commands that read Kafka (migrate watch, events tail, dlq),"
                    + " e.g. security.protocol, sasl.*, ssl.* for TLS/SASL, as kafka-console-consumer takes them."})
    Path commandConfig;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "table|json", order = 4,
            description = "table (for people, the default) or json (one JSON document; one object per line when"
                    + " streaming).")
    Printer.Format output;

    @Option(names = "--http-timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS", order = 5,
            description = "How long to wait for a node's answer (default 60).")
    Integer timeoutSeconds;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final List<Path> homes;
    private BufferedReader input;

    /** For {@link #main}: the process environment, the working directory, then {@code MERIDIAN_HOME}. */
    public MeridianCtl() {
        this(System.getenv(), defaultHomes(System.getenv()));
    }

    /** With an explicit environment and the directories searched for {@value #LOCAL_DIR} (tests). */
    public MeridianCtl(Map<String, String> env, List<Path> homes) {
        this.env = Map.copyOf(env);
        this.homes = List.copyOf(homes);
    }

    public static void main(String[] args) {
        System.exit(commandLine(new MeridianCtl()).execute(args));
    }

    /** The configured command line: exit codes per {@link ExitCode}, case-insensitive enum values. */
    public static CommandLine commandLine(MeridianCtl root) {
        CommandLine cl = new CommandLine(root);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof CliException failure) {
                command.getErr().println(failure.render());
                command.getErr().flush();
                return failure.exitCode();
            }
            command.getErr().println("error: internal: " + e);
            command.getErr().flush();
            return ExitCode.INTERNAL;
        });
        return cl;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Answers to questions come from {@code in} instead of standard input (tests). */
    MeridianCtl withInput(Reader in) {
        this.input = new BufferedReader(in);
        return this;
    }

    /**
     * Asks {@code question} on stderr and reads the answer from standard input: true for {@code y} or {@code yes}. No
     * answer (end of input: not a terminal and nothing piped) is a no.
     */
    boolean confirm(String question) {
        PrintWriter err = spec.commandLine().getErr();
        err.print(question);
        err.flush();
        try {
            if (input == null) {
                input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            }
            String answer = input.readLine();
            return answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            return false;
        }
    }

    /** The node's API per {@code --url}, {@code --token}, {@code --token-file}. */
    HttpApi api() {
        String base = firstNonBlank(url, env.get("MERIDIAN_URL")).orElse(DEFAULT_URL);
        Optional<String> bearer = firstNonBlank(token).or(() -> Optional.ofNullable(tokenFile).map(MeridianCtl::token))
                .or(() -> firstNonBlank(env.get("MERIDIAN_ADMIN_TOKEN")))
                .or(() -> firstNonBlank(env.get("MERIDIAN_TOKEN_FILE")).map(f -> token(Path.of(f))))
                .or(this::localToken);
        Duration timeout = timeoutSeconds == null ? HttpApi.DEFAULT_REQUEST_TIMEOUT
                : Duration.ofSeconds(Math.max(1, timeoutSeconds));
        return new HttpApi(base, bearer, timeout);
    }

    /** The printer for {@code -o} on this command line's stdout. */
    Printer printer() {
        return new Printer(spec.commandLine().getOut(), output == null ? Printer.Format.TABLE : output);
    }

    /** Kafka bootstrap servers per {@code --bootstrap}, or a usage error saying how to set them. */
    String bootstrap() {
        return firstNonBlank(bootstrap, env.get("MERIDIAN_KAFKA_BOOTSTRAP_SERVERS")).or(this::localBootstrap)
                .orElseThrow(() -> new CliException(ExitCode.USAGE, "no_bootstrap", "no Kafka bootstrap servers:"
                        + " pass --bootstrap host:port or set MERIDIAN_KAFKA_BOOTSTRAP_SERVERS (or run from the"
                        + " directory of 'meridian local')"));
    }

    /** Kafka client settings per {@code --command-config}, on top of which the commands set their own. */
    Map<String, Object> kafkaSettings() {
        if (commandConfig == null) {
            return Map.of();
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(commandConfig)) {
            props.load(in);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "invalid_command_config", "cannot read --command-config "
                    + commandConfig + ": " + e.getMessage());
        }
        Map<String, Object> settings = new java.util.HashMap<>();
        props.stringPropertyNames().forEach(k -> settings.put(k, props.getProperty(k).strip()));
        return settings;
    }

    /** The first line of a token file; a missing, unreadable or empty one is a usage error. */
    private static String token(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "invalid_token_file", "cannot read the token file " + file + ": "
                    + e.getMessage());
        }
        String first = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        if (first.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "invalid_token_file", "the token file " + file + " is empty");
        }
        return first;
    }

    private Optional<String> localToken() {
        return localFile(LOCAL_TOKEN_FILE).map(MeridianCtl::read).map(String::strip).filter(t -> !t.isEmpty());
    }

    private Optional<String> localBootstrap() {
        return localFile(LOCAL_NODE_FILE).map(file -> {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return props.getProperty(BOOTSTRAP_KEY);
        }).flatMap(MeridianCtl::firstNonBlank);
    }

    private Optional<Path> localFile(String relative) {
        return homes.stream().map(h -> h.resolve(relative)).filter(Files::isReadable).findFirst();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> defaultHomes(Map<String, String> env) {
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of("").toAbsolutePath());
        firstNonBlank(env.get("MERIDIAN_HOME")).map(Path::of).ifPresent(homes::add);
        return homes;
    }

    private static Optional<String> firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return Optional.of(value.strip());
            }
        }
        return Optional.empty();
    }
}
