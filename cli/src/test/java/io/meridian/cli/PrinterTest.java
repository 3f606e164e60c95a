package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.serde.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Table and text rendering. */
class PrinterTest {
    private final StringWriter out = new StringWriter();
    private final Printer printer = new Printer(new PrintWriter(out), Printer.Format.TABLE);

    @Test
    void tablesAlignEveryColumnToItsWidestCell() {
        printer.table(List.of("tenant", "primary", "epoch"), List.of(List.of("a", "us-east", "1"),
                List.of("a-much-longer-tenant", "", "12")));
        assertEquals("""
                TENANT                PRIMARY  EPOCH
                a                     us-east  1
                a-much-longer-tenant  -        12
                """, out.toString());
    }

    @Test
    void objectsPrintFieldsFlattenedAndListsOfObjectsAsTables() {
        JsonNode node = Json.readTree(("{\"id\":\"m-1\",\"plan\":{\"valid\":true,\"regions\":[\"a\",\"b\"]},"
                + "\"missing\":null,\"steps\":[{\"step\":\"pause\",\"ms\":5},{\"step\":\"switch\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        printer.object(node);
        assertEquals("""
                id:            m-1
                plan.valid:    true
                plan.regions:  a,b
                missing:       -

                steps:
                STEP    MS
                pause   5
                switch  -
                """, out.toString());
    }

    @Test
    void fieldsAlignValues() {
        printer.fields(List.of(Map.entry("a", "1"), Map.entry("longer", "2")));
        assertEquals("a:       1\nlonger:  2\n", out.toString());
    }

    @Test
    void progressBarFillsWithTheDoneShare() {
        assertEquals("[--------------------]   0%", MigrationWatch.bar(0));
        assertEquals("[##########----------]  50%", MigrationWatch.bar(0.5));
        assertEquals("[####################] 100%", MigrationWatch.bar(1));
    }
}
