package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Everything {@code meridianctl} writes to stdout goes through here, in one of two formats: {@link Format#TABLE}
 * (aligned columns and {@code key: value} blocks for people) or {@link Format#JSON} (exactly one JSON document, or
 * one JSON object per line for streaming commands, for scripts). Notes for people are left out of JSON output.
 * Flushes after every write so streams show up at once. Not thread-safe; one per command run.
 */
public final class Printer {
    /** The output formats of {@code -o}. */
    public enum Format { TABLE, JSON }

    static final String NONE = "-";

    private final PrintWriter out;
    private final Format format;

    public Printer(PrintWriter out, Format format) {
        this.out = Objects.requireNonNull(out, "out");
        this.format = Objects.requireNonNull(format, "format");
    }

    public boolean json() {
        return format == Format.JSON;
    }

    /** One JSON document (or one line of a stream), compact. */
    public void json(JsonNode node) {
        out.println(Json.writeString(node));
        out.flush();
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** A line for people: shown in table output, left out of JSON output. */
    public void note(String text) {
        if (!json()) {
            line(text);
        }
    }

    /** Aligned columns under upper-cased headers; the last column is not padded. */
    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], display(row.get(i)).length());
            }
        }
        out.println(row(headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList(), widths));
        for (List<String> r : rows) {
            out.println(row(r, widths));
        }
        out.flush();
    }

    /** {@code key: value} lines with the values aligned. */
    public void fields(List<Map.Entry<String, String>> fields) {
        int width = fields.stream().mapToInt(f -> f.getKey().length()).max().orElse(0) + 1;
        for (Map.Entry<String, String> field : fields) {
            out.println(pad(field.getKey() + ":", width) + "  " + display(field.getValue()));
        }
        out.flush();
    }

    /**
     * Any JSON answer, readably: an object's scalar fields (nested objects flattened to {@code a.b}, lists of scalars
     * joined with commas) as {@code key: value} lines, then each list of objects as a titled table. Anything else is
     * printed as it is.
     */
    public void object(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            if (node.isArray() && allObjects(node)) {
                objects(node, List.of());
            } else {
                line(text(node));
            }
            return;
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> lists = new ArrayList<>();
        flatten("", node, fields, lists);
        fields(fields);
        for (Map.Entry<String, JsonNode> list : lists) {
            out.println();
            out.println(list.getKey() + ":");
            objects(list.getValue(), List.of());
        }
        out.flush();
    }

    /**
     * A JSON array of objects as a table: {@code preferred} columns first (those present), then every other field in
     * the order first seen.
     */
    public void objects(JsonNode array, List<String> preferred) {
        Set<String> present = new LinkedHashSet<>();
        for (JsonNode element : array) {
            element.fieldNames().forEachRemaining(present::add);
        }
        List<String> columns = new ArrayList<>();
        preferred.stream().filter(present::contains).forEach(columns::add);
        present.stream().filter(c -> !columns.contains(c)).forEach(columns::add);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode element : array) {
            rows.add(columns.stream().map(c -> text(element.get(c))).toList());
        }
        table(columns, rows);
    }

    /** A JSON value as one cell: {@code -} for null or missing, text unquoted, lists of scalars comma-joined. */
    public static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return NONE;
        }
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.isArray() && allScalars(value)) {
            StringJoiner joined = new StringJoiner(",");
            value.forEach(v -> joined.add(text(v)));
            return joined.length() == 0 ? NONE : joined.toString();
        }
        return Json.writeString(value);
    }

    private static void flatten(String prefix, JsonNode object, List<Map.Entry<String, String>> fields,
                                List<Map.Entry<String, JsonNode>> lists) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject() && value.size() > 0) {
                flatten(name + ".", value, fields, lists);
            } else if (value.isArray() && value.size() > 0 && allObjects(value)) {
                lists.add(Map.entry(name, value));
            } else {
                fields.add(Map.entry(name, text(value)));
            }
        }
    }

    private static boolean allObjects(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    private static String row(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = i < cells.size() ? display(cells.get(i)) : NONE;
            line.append(i == widths.length - 1 ? cell : pad(cell, widths[i]) + "  ");
        }
        return line.toString().stripTrailing();
    }

    private static String display(String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
