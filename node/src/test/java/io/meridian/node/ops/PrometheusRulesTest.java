package io.meridian.node.ops;

import static io.meridian.node.ops.OpsFiles.elements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The alert rules are valid and their unit tests pass ({@code promtool check} / {@code promtool test rules}; skipped
 * where promtool is not on the PATH: {@code apt-get install prometheus} provides it), and every alert is complete:
 * a severity, a summary, a description, a runbook link to a section that exists in docs/operations.md, and unit
 * tests that see it both firing and not firing (checked without promtool).
 */
class PrometheusRulesTest {
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");

    @Test
    @Timeout(120)
    void shouldPassPromtoolCheckRules() {
        assertPromtool("check", "rules", OpsFiles.ALERT_RULES);
    }

    @Test
    @Timeout(120)
    void shouldPassPromtoolCheckConfig() {
        assertPromtool("check", "config", OpsFiles.PROMETHEUS_CONFIG);
    }

    @Test
    @Timeout(300)
    void shouldPassTheAlertUnitTests() {
        assertPromtool("test", "rules", OpsFiles.ALERT_TESTS);
    }

    @Test
    void shouldGiveEveryAlertASeveritySummaryDescriptionAndRunbook() {
        Set<String> anchors = markdownAnchors(OpsFiles.text(OpsFiles.OPERATIONS_DOC));
        Map<String, JsonNode> alerts = alerts();
        assertTrue(alerts.size() >= 6, "alerts: " + alerts.keySet());
        alerts.forEach((name, rule) -> {
            String severity = rule.path("labels").path("severity").asText();
            assertTrue(SEVERITIES.contains(severity), name + ": severity label must be one of " + SEVERITIES);
            JsonNode annotations = rule.path("annotations");
            assertTrue(!annotations.path("summary").asText().isBlank(), name + ": summary annotation");
            String description = annotations.path("description").asText();
            String runbook = annotations.path("runbook_url").asText();
            assertTrue(runbook.startsWith(OpsFiles.OPERATIONS_DOC + "#"), name + ": runbook_url into "
                    + OpsFiles.OPERATIONS_DOC + ", got '" + runbook + "'");
            String anchor = runbook.substring(runbook.indexOf('#') + 1);
            assertTrue(anchors.contains(anchor), name + ": " + OpsFiles.OPERATIONS_DOC + " has no section #" + anchor
                    + "; its sections: " + anchors);
            assertTrue(description.contains(runbook), name + ": the description tells the operator where the"
                    + " runbook is (" + runbook + ")");
        });
    }

    @Test
    void shouldTestEveryAlertBothFiringAndNotFiring() {
        Map<String, int[]> cases = new TreeMap<>();
        alerts().keySet().forEach(name -> cases.put(name, new int[2]));
        for (JsonNode test : elements(OpsFiles.yaml(OpsFiles.ALERT_TESTS).get("tests"))) {
            for (JsonNode check : elements(test.get("alert_rule_test"))) {
                int[] counts = cases.get(check.path("alertname").asText());
                assertTrue(counts != null, "the tests check an alert the rules do not have: "
                        + check.path("alertname").asText());
                counts[elements(check.get("exp_alerts")).isEmpty() ? 1 : 0]++;
            }
        }
        List<String> untested = cases.entrySet().stream()
                .filter(e -> e.getValue()[0] == 0 || e.getValue()[1] == 0)
                .map(e -> e.getKey() + " (firing cases " + e.getValue()[0] + ", not firing " + e.getValue()[1] + ")")
                .toList();
        assertTrue(untested.isEmpty(), OpsFiles.ALERT_TESTS + " must see each alert firing and not firing: "
                + untested);
    }

    @Test
    void shouldDocumentEveryAlertInTheRunbook() {
        String doc = OpsFiles.text(OpsFiles.OPERATIONS_DOC);
        List<String> undocumented = alerts().keySet().stream().filter(name -> !doc.contains(name)).toList();
        assertTrue(undocumented.isEmpty(), OpsFiles.OPERATIONS_DOC + " does not name: " + undocumented);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode group : elements(OpsFiles.yaml(OpsFiles.ALERT_RULES).get("groups"))) {
            for (JsonNode rule : elements(group.get("rules"))) {
                if (rule.has("alert")) {
                    assertTrue(alerts.put(rule.get("alert").asText(), rule) == null,
                            "alert " + rule.get("alert").asText() + " is defined twice");
                }
            }
        }
        return alerts;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> markdownAnchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        boolean fenced = false;
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            if (!fenced && line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT);
                anchors.add(title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    private static void assertPromtool(String... args) {
        Optional<Path> promtool = onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not on the PATH (apt-get install prometheus): skipped");
        List<String> command = new ArrayList<>();
        command.add(promtool.get().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(OpsFiles.root().toFile())
                .redirectErrorStream(true);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            boolean exited = process.waitFor(240, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            assertTrue(exited, String.join(" ", command) + " did not finish in 240 s");
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        try (Stream<Path> candidates = Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty())
                .map(dir -> Path.of(dir, executable))) {
            return candidates.filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
        }
    }
}
