package io.meridian.infra.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClassDataArchiveTest {
    @TempDir
    Path dir;

    @Test
    void shouldGiveNoArchiveToAClasspathWithADirectory() throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "not really a jar");
        Path classes = Files.createDirectories(dir.resolve("classes"));

        assertFalse(ClassDataArchive.of(dir, "x", jar + File.pathSeparator + classes).enabled());
        assertEquals(List.of(), ClassDataArchive.of(dir, "x", classes.toString()).jvmOptions(true));
    }

    @Test
    void shouldStartANewArchiveWhenAJarChanges() throws Exception {
        Path jar = Files.writeString(dir.resolve("a.jar"), "not really a jar");
        String before = ClassDataArchive.key(jar.toString()).orElseThrow();
        assertEquals(before, ClassDataArchive.key(jar.toString()).orElseThrow());

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2_000));

        assertNotEquals(before, ClassDataArchive.key(jar.toString()).orElseThrow());
    }

    @Test
    void onlyTheDumperWritesAnArchiveAndEveryJvmMapsThePublishedOne() throws Exception {
        Path slf4j = Path.of(LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classpath = NodeLauncher.childClasspath(dir, slf4j.toString());
        ClassDataArchive archive = ClassDataArchive.of(dir.resolve("cds"), "test", classpath);
        assertEquals(List.of(), archive.jvmOptions(false));

        // BrokerMain without arguments prints its usage and exits 2: a normal exit, so the JVM writes the archive.
        assertEquals(2, runBrokerMain(archive.jvmOptions(true), classpath));
        assertFalse(Files.exists(archive.file()), "not published before its JVM is known to have ended on its own");
        Files.writeString(dir.resolve("cds").resolve("test-0123456789abcdef.jsa"), "an archive of an older build");
        archive.publish();

        assertTrue(Files.size(archive.file()) > 0);
        try (var files = Files.list(dir.resolve("cds"))) {
            assertEquals(List.of(archive.file()), files.toList(), "the older build's archive is gone");
        }
        List<String> mapping = new ArrayList<>(archive.jvmOptions(false));
        assertTrue(mapping.contains("-XX:SharedArchiveFile=" + archive.file()), mapping.toString());
        mapping.add("-Xshare:on");  // fails the JVM unless the archive maps
        assertEquals(2, runBrokerMain(mapping, classpath));
        // A rewritten BrokerMain jar with the same content keeps its modification time, so the archive stays valid.
        assertEquals(classpath, NodeLauncher.childClasspath(dir, slf4j.toString()));
        assertTrue(ClassDataArchive.of(dir.resolve("cds"), "test", classpath).jvmOptions(false).contains(
                "-XX:SharedArchiveFile=" + archive.file()));
    }

    private static int runBrokerMain(List<String> options, String classpath) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(options);
        command.addAll(List.of("-cp", classpath, BrokerMain.class.getName()));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.getInputStream().transferTo(System.out);
        assertTrue(java.waitFor(60, TimeUnit.SECONDS));
        return java.exitValue();
    }
}
