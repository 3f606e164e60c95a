package io.meridian.infra.cluster;

import io.meridian.infra.cluster.ClusterException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

/**
 * Starts the child JVM of a node: writes its {@code server.properties}, logging configuration and
 * {@code java.args} into the node directory, then runs {@link BrokerMain} there. Those files stay, and
 * document how to run the node by hand.
 */
final class NodeLauncher {

    /** Logback configuration of the children: everything to stdout, which is redirected to server.log. */
    private static final String LOGBACK_XML = String.join("\n",
            "<configuration>",
            "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
            "  </appender>",
            "  <logger name=\"org.apache.kafka.clients\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.config\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.metrics\" level=\"WARN\"/>",
            "  <logger name=\"org.apache.kafka.common.utils.AppInfoParser\" level=\"WARN\"/>",
            "  <logger name=\"kafka.request.logger\" level=\"WARN\"/>",
            "  <logger name=\"state.change.logger\" level=\"WARN\"/>",
            "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>",
            "</configuration>",
            "");

    /** For the few Kafka classes that talk to log4j2 directly; keeps its status logger quiet. */
    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{ISO8601} %-5level [%t] %c{1.} - %m%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = OUT",
            "");

    private final ClusterSettings settings;
    private final String clusterId;
    private final ClusterNodes nodes;
    private final String classpath;
    private final ClassDataArchive classData;

    /** {@code classpath} as made by {@link #childClasspath}. */
    NodeLauncher(ClusterSettings settings, String clusterId, ClusterNodes nodes, String classpath) {
        this.settings = settings;
        this.clusterId = clusterId;
        this.nodes = nodes;
        this.classpath = classpath;
        this.classData = ClassDataArchive.of(settings.dataDir().resolve("cds"), "kafka", classpath);
    }

    /**
     * Starts {@code node}'s process; returns once it runs, not when it is ready.
     *
     * @throws ClusterException if its files cannot be written or the process cannot be started
     */
    void launch(NodeProcess node) {
        Path dir = node.dir();
        try {
            Files.createDirectories(dir);
            Path propertiesFile = dir.resolve("server.properties");
            Properties config = ServerProperties.of(node, nodes, settings.layout(), settings.brokerProperties());
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                config.store(out, "Kafka node " + node.name + " of cluster " + clusterId);
            }
            Path logbackFile = dir.resolve("logback.xml");
            Files.writeString(logbackFile, LOGBACK_XML, StandardCharsets.UTF_8);
            Path log4j2File = dir.resolve("log4j2.properties");
            Files.writeString(log4j2File, LOG4J2_PROPERTIES, StandardCharsets.UTF_8);
            // The classpath goes through an @argfile: a surefire or IDE classpath can exceed what is
            // comfortable on a command line.
            Path argFile = dir.resolve("java.args");
            Files.writeString(argFile, "-cp " + quoteArg(classpath) + System.lineSeparator(), StandardCharsets.UTF_8);

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(nodes.isDedicatedController(node)
                    ? settings.controllerJvmOptions() : settings.brokerJvmOptions());
            // One archive for the controller and the brokers (one classpath); broker 0 writes it.
            boolean dumper = node == nodes.brokers().get(0);
            command.addAll(classData.jvmOptions(dumper));
            command.add("-Dlogback.configurationFile=" + logbackFile);
            command.add("-Dlog4j2.configurationFile=" + log4j2File);
            command.add("-Dmeridian.kafka.node=" + node.name);
            command.add("@" + argFile);
            command.add(BrokerMain.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
            command.add(propertiesFile.toString());
            node.start(command, clusterId, dumper ? classData : null);
        } catch (IOException e) {
            throw new ClusterException("Cannot launch " + node.name + " of the Kafka cluster in " + settings.dataDir(), e);
        }
    }

    /**
     * The children's classpath: a private copy of {@link BrokerMain} first, in a jar of its own, then the given
     * classpath or, by default, the jars of this JVM's classpath. Directories are left out on purpose: they are build
     * outputs ({@code target/classes}) that a concurrent build may wipe while a broker restarts, and a broker needs
     * nothing from them but {@code BrokerMain}. A classpath of jars only is also one the JVM can keep a class data
     * archive of ({@link ClassDataArchive}); the BrokerMain jar is rewritten only when its content changed, since the
     * archive is tied to the jars' modification times.
     *
     * @param explicit the classpath to use after {@code BrokerMain}, or {@code null} for the default
     */
    static String childClasspath(Path dataDir, String explicit) {
        Path jar = dataDir.resolve("launcher").resolve("meridian-broker-main.jar");
        String resource = BrokerMain.class.getName().replace('.', '/') + ".class";
        // BrokerMain has no nested or anonymous classes (its lambda compiles into it), so one file is all.
        try (InputStream in = BrokerMain.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClusterException("Cannot find " + resource + " on the classpath");
            }
            byte[] content = jarOf(resource, in.readAllBytes());
            if (!Files.isRegularFile(jar) || !Arrays.equals(Files.readAllBytes(jar), content)) {
                Files.createDirectories(jar.getParent());
                Files.write(jar, content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + jar, e);
        }
        String rest = explicit;
        if (rest == null) {
            rest = Arrays.stream(System.getProperty("java.class.path", "").split(File.pathSeparator))
                    .filter(entry -> !entry.isBlank() && Files.isRegularFile(Path.of(entry)))
                    // Absolute: the children run in their node directory (java -jar gives a relative path).
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return jar + File.pathSeparator + rest;
    }

    /** A jar holding one class, the same bytes for the same class (fixed entry time). */
    private static byte[] jarOf(String resource, byte[] classBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes)) {
            JarEntry entry = new JarEntry(resource);
            entry.setTime(0);
            out.putNextEntry(entry);
            out.write(classBytes);
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String quoteArg(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
