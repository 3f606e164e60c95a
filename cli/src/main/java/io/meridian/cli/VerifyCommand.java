package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridianctl verify [--tenant T]}: the consistency check (like Vitess VDiff). For each tenant (one, or every
 * tenant of {@code GET /admin/tenants}) the node asked compares the digests of every replica region at one WAL
 * position ({@code GET /admin/tenants/{tenant}/verify}) and lists the keys that differ. Exit code
 * {@value ExitCode#OK} when every tenant is consistent, {@link #DIVERGENT} when one differs at the same position,
 * {@value ExitCode#UNAVAILABLE} when one could not be confirmed (regions at different positions, or not answering).
 * Every tenant means every page of the list; a long check reports its progress on stderr.
 */
@Command(name = "verify", sortOptions = false, description = "Compare every replica region's copy of tenants at one"
        + " WAL position and list the keys that differ (GET /admin/tenants/{tenant}/verify).")
final class VerifyCommand implements java.util.concurrent.Callable<Integer> {
    /** Exit code: a tenant's replica regions hold different documents at the same WAL position. */
    static final int DIVERGENT = 10;

    @Mixin
    CommandGroup group;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Check this tenant only (default: every tenant).")
    String tenant;

    @Override
    public Integer call() {
        List<String> tenants = new ArrayList<>();
        if (tenant != null) {
            tenants.add(tenant);
        } else {
            // Every page (a deployment holds up to 100,000 tenants, a page at most 1,000), keeping only the names.
            group.root().api().forEachPage("/admin/tenants", "tenants", p -> tenants.add(p.path("tenant").asText()));
        }
        Progress progress = new Progress(group.commandLine().getErr(), tenants.size());
        Printer printer = group.root().printer();
        ArrayNode reports = JsonNodeFactory.instance.arrayNode();
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> keys = new ArrayList<>();
        int exit = ExitCode.OK;
        for (String t : tenants) {
            JsonNode report = group.root().api().get("/admin/tenants/" + HttpApi.segment(t) + "/verify").body();
            if (printer.json()) {
                reports.add(report);  // for the table, the rows below are enough
            }
            String status = report.path("status").asText();
            rows.add(List.of(t, status, String.valueOf(report.path("differences").size()),
                    report.path("message").asText()));
            for (JsonNode difference : report.path("differences")) {
                List<String> versions = new ArrayList<>();
                difference.path("versions").fields().forEachRemaining(v -> versions.add(v.getKey() + "="
                        + (v.getValue().isNull() ? "absent" : shortDigest(v.getValue().path("digest").asText())
                        + "@" + v.getValue().path("position").asText())));
                keys.add(List.of(t, difference.path("key").asText(), String.join(" ", versions)));
            }
            progress.checked();
            if (status.equals("divergent")) {
                exit = DIVERGENT;
            } else if (!status.equals("consistent") && exit == ExitCode.OK) {
                exit = ExitCode.UNAVAILABLE;
            }
        }
        if (printer.json()) {
            printer.json(reports);
            return exit;
        }
        printer.table(List.of("tenant", "status", "keys differing", "detail"), rows);
        if (!keys.isEmpty()) {
            printer.line("");
            printer.table(List.of("tenant", "key", "versions (region=digest@position)"), keys);
        }
        if (tenants.isEmpty()) {
            printer.note("(no tenants)");
        }
        return exit;
    }

    /**
     * {@code checked 12,000/100,000 tenants} on stderr (stdout stays the result) for a check of at least
     * {@value #PROGRESS_FROM} tenants: every tenth of them, at most every {@value #PROGRESS_EVERY}, and at least every
     * {@link #PROGRESS_INTERVAL}, so a long check shows it is moving.
     */
    static final class Progress {
        static final int PROGRESS_FROM = 100;
        static final int PROGRESS_EVERY = 1_000;
        static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

        private final PrintWriter err;
        private final int total;
        private final int step;
        private int checked;
        private int shown;
        private long shownAt = System.nanoTime();

        Progress(PrintWriter err, int total) {
            this.err = err;
            this.total = total;
            this.step = Math.min(PROGRESS_EVERY, Math.max(1, total / 10));
        }

        void checked() {
            checked++;
            long now = System.nanoTime();
            if (total >= PROGRESS_FROM && checked < total && (checked - shown >= step
                    || now - shownAt >= PROGRESS_INTERVAL.toNanos())) {
                shown = checked;
                shownAt = now;
                err.println(String.format(Locale.ROOT, "checked %,d/%,d tenants", checked, total));
                err.flush();
            }
        }
    }

    private static String shortDigest(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);  // "sum256:" or "sha256:" before the hex
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
