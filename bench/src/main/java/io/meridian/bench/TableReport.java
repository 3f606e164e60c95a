package io.meridian.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.serde.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a benchmark that produces tables of its own shape (trials, summaries): settings, named tables of
 * rows, notes; printed as aligned text tables or as one JSON document. Numbers stay numbers in JSON (NaN: null) and
 * are shown with two decimals (whole from 100 up) in the tables. Not thread-safe.
 */
final class TableReport {
    private final String title;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    TableReport(String title) {
        this.title = title;
    }

    void setting(String name, Object value) {
        settings.put(name, value);
    }

    /** The table of this name, created with these columns on first use. */
    Table table(String name, String... columns) {
        return tables.computeIfAbsent(name, n -> new Table(List.of(columns)));
    }

    void note(String note) {
        notes.add(note);
    }

    static final class Table {
        private final List<String> columns;
        private final List<List<Object>> rows = new ArrayList<>();

        private Table(List<String> columns) {
            this.columns = columns;
        }

        void row(Object... values) {
            if (values.length != columns.size()) {
                throw new IllegalArgumentException("row of " + values.length + " values for columns " + columns);
            }
            rows.add(List.of(java.util.Arrays.stream(values).map(v -> v == null ? "-" : v).toArray()));
        }
    }

    void printTable(PrintStream out) {
        out.println();
        out.println(settings.isEmpty() ? title : title + "  " + settings);
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            Table table = entry.getValue();
            if (table.rows.isEmpty()) {
                continue;
            }
            out.println();
            out.println(entry.getKey() + ":");
            int[] widths = new int[table.columns.size()];
            for (int c = 0; c < widths.length; c++) {
                widths[c] = table.columns.get(c).length();
                for (List<Object> row : table.rows) {
                    widths[c] = Math.max(widths[c], cell(row.get(c)).length());
                }
            }
            out.println(line(table.columns.stream().map(Object.class::cast).toList(), widths));
            StringBuilder rule = new StringBuilder();
            for (int c = 0; c < widths.length; c++) {
                rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
            }
            out.println(rule);
            table.rows.forEach(row -> out.println(line(row, widths)));
        }
        out.println();
        notes.forEach(note -> out.println("note: " + note));
        out.printf("cores: %d; load = 1-min load average when the row was measured%n",
                Runtime.getRuntime().availableProcessors());
        out.flush();
    }

    void printJson(PrintStream out) {
        out.println(Json.writeString(toJson()));
        out.flush();
    }

    /** The report as one JSON object, for {@link #printJson} or to nest in another report. */
    ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("benchmark", title);
        root.set("settings", Json.MAPPER.valueToTree(settings));
        ObjectNode all = root.putObject("tables");
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            ArrayNode rows = all.putArray(entry.getKey());
            for (List<Object> row : entry.getValue().rows) {
                ObjectNode node = rows.addObject();
                for (int c = 0; c < row.size(); c++) {
                    Object value = row.get(c);
                    String name = entry.getValue().columns.get(c);
                    if (value instanceof Double d) {
                        node.putPOJO(name, d.isNaN() || d.isInfinite() ? null : Math.round(d * 1000) / 1000.0);
                    } else if (value instanceof Number || value instanceof Boolean) {
                        node.putPOJO(name, value);
                    } else {
                        node.put(name, "-".equals(value) ? null : String.valueOf(value));
                    }
                }
            }
        }
        root.set("notes", Json.MAPPER.valueToTree(notes));
        root.put("cores", Runtime.getRuntime().availableProcessors());
        return root;
    }

    private static String line(List<Object> values, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < widths.length; c++) {
            String cell = cell(values.get(c));
            line.append(c == 0 ? "" : " | ");
            // Text left-aligned, numbers right-aligned.
            line.append(values.get(c) instanceof Number ? " ".repeat(widths[c] - cell.length()) + cell
                    : cell + " ".repeat(widths[c] - cell.length()));
        }
        return line.toString().stripTrailing();
    }

    private static String cell(Object value) {
        if (value instanceof Double d) {
            return d.isNaN() ? "-" : Math.abs(d) >= 100 ? String.format("%.0f", d) : String.format("%.2f", d);
        }
        return String.valueOf(value);
    }
}
