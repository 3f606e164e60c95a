package io.meridian.infra.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dynamic class data sharing archive (AppCDS) for a family of child JVMs with one classpath, so that each start maps
 * the classes an earlier JVM of the family loaded and verified instead of loading them again. Eight JVMs start at once
 * on two cores; a region node took 4.6-5.4 CPU seconds until it served without the archive, 3.5-3.8 with it.
 *
 * <p>One JVM of the family, the dumper, writes the archive when it exits ({@code -XX:ArchiveClassesAtExit}) into a part
 * file; its owner {@link #publish publishes} it once that JVM ended on its own, since a JVM killed while dumping leaves
 * a broken file. Every later JVM of the family maps the published archive. The archive's name carries a hash of the JDK
 * and of every jar (path, size, modification time, with the jars a manifest's {@code Class-Path} names), so a rebuild
 * or another JDK starts a new archive; the JVM makes the same check itself and ignores an archive that does not match.
 * A classpath with a directory (a build's {@code target/classes}, as in tests) gets no archive: CDS covers jars only.
 * CDS's own log lines are turned off (a dump warns about every class it cannot keep). Immutable; publish is idempotent.
 */
public final class ClassDataArchive {
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    private static final String SUFFIX = ".jsa";

    private final Path dir;
    private final String family;
    /** Null when the classpath cannot be archived. */
    private final String key;

    private ClassDataArchive(Path dir, String family, String key) {
        this.dir = dir;
        this.family = family;
        this.key = key;
    }

    /** The archive of {@code family} (a file-name-safe word) for JVMs started with {@code classpath}, kept in {@code dir}. */
    public static ClassDataArchive of(Path dir, String family, String classpath) {
        return new ClassDataArchive(dir, family, key(classpath).orElse(null));
    }

    /** The published archive's file (it may not exist yet). */
    Path file() {
        return dir.resolve(family + "-" + key + SUFFIX);
    }

    private Path partFile() {
        return dir.resolve(family + "-" + key + SUFFIX + ".part");
    }

    /** Whether the classpath can be archived at all. */
    public boolean enabled() {
        return key != null;
    }

    /**
     * Options for one JVM of the family: map the archive when it is published; else, for the {@code dumper}, write it at
     * exit; else nothing.
     */
    public List<String> jvmOptions(boolean dumper) {
        List<String> options = new ArrayList<>();
        if (!enabled()) {
            return options;
        }
        if (Files.isRegularFile(file())) {
            options.add("-XX:SharedArchiveFile=" + file());
        } else if (dumper) {
            try {
                Files.createDirectories(dir);
                Files.deleteIfExists(partFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare " + partFile(), e);
            }
            options.add("-XX:ArchiveClassesAtExit=" + partFile());
        } else {
            return options;
        }
        options.addAll(QUIET);
        return options;
    }

    /**
     * Call once the dumper ended on its own (not killed): publishes the archive it wrote, if any, and removes the
     * family's archives for other classpaths.
     */
    public void publish() {
        if (!enabled() || !Files.isRegularFile(partFile())) {
            return;
        }
        try {
            Files.move(partFile(), file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (DirectoryStream<Path> archives = Files.newDirectoryStream(dir, family + "-*" + SUFFIX)) {
                for (Path stale : archives) {
                    if (!stale.equals(file())) {
                        Files.deleteIfExists(stale);
                    }
                }
            }
            LOG.info("class data archive {} written; the next starts of {} map it", file(), family);
        } catch (IOException e) {
            LOG.warn("cannot publish the class data archive {}; starts will load classes from the jars", file(), e);
        }
    }

    /** A hash of the JDK and of every jar the classpath reaches, or empty when an entry is a directory. */
    static Optional<String> key(String classpath) {
        Set<Path> jars = new LinkedHashSet<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                return Optional.empty();
            }
            jars.add(path);
            jars.addAll(manifestClassPath(path));
        }
        if (jars.isEmpty()) {
            return Optional.empty();
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"));
            for (Path jar : jars) {
                update(digest, jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis());
            }
            return Optional.of(HexFormat.of().formatHex(digest.digest(), 0, 8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The jars a jar's manifest adds to the classpath ({@code java -jar}, as bin/meridian starts the launcher). */
    private static List<Path> manifestClassPath(Path jar) {
        List<Path> added = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            String classPath = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                for (String relative : classPath.trim().split("\\s+")) {
                    Path dependency = jar.resolveSibling(relative).normalize();
                    if (Files.isRegularFile(dependency)) {
                        added.add(dependency);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the manifest of {}", jar, e);
        }
        return added;
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
