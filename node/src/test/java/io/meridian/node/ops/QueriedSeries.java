package io.meridian.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Meridian series that the dashboard and the alert rules query: their PromQL, not their prose. */
public final class QueriedSeries {
    public static final String DASHBOARD = OpsFiles.DASHBOARD;
    public static final String ALERT_RULES = OpsFiles.ALERT_RULES;
    public static final String PROMETHEUS_CONFIG = OpsFiles.PROMETHEUS_CONFIG;

    private static final Pattern SERIES = Pattern.compile("(?<![A-Za-z0-9_:])meridian_[a-z0-9_]+");
    private static final Set<String> QUERY_FIELDS = Set.of("expr", "series", "query", "definition");

    private QueriedSeries() {
    }

    /** Every {@code meridian_*} series named in a query field of {@code file} (JSON or YAML, repo-relative). */
    public static Set<String> in(String file) {
        Set<String> names = new TreeSet<>();
        collect(file.endsWith(".json") ? OpsFiles.json(file) : OpsFiles.yaml(file), names);
        return names;
    }

    /** Every {@code meridian_*} name anywhere in {@code text}. */
    public static Set<String> namesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERIES.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (QUERY_FIELDS.contains(f.getKey()) && f.getValue().isTextual()) {
                    names.addAll(namesIn(f.getValue().asText()));
                } else {
                    collect(f.getValue(), names);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, names));
        }
    }
}
