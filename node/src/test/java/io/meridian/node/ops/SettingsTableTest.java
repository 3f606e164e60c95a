package io.meridian.node.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.config.ConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is the catalogue of keys ({@link ConfigKeys}) the node checks its configuration against,
 * so the two cannot drift: a key added to MeridianConfig.DEF needs the table regenerated ({@code bin/meridian
 * settings}, or copy target/settings-table.md that this test writes).
 */
class SettingsTableTest {
    static final String BEGIN =
            "<!-- settings table: generated from MeridianConfig.DEF by 'bin/meridian settings' -->\n";
    static final String END = "<!-- end of settings table -->";

    @Test
    void shouldDocumentEveryKnownKeyAsTheCatalogueDeclaresIt() throws IOException {
        String expected = ConfigKeys.markdownTable();
        Path generated = Path.of("target", "settings-table.md");
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, expected);
        String readme = OpsFiles.text("README.md");
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md must hold the settings table between '" + BEGIN.strip()
                + "' and '" + END + "'");
        assertEquals(expected, readme.substring(begin + BEGIN.length(), end),
                "README.md's settings table differs from MeridianConfig.DEF: replace it with "
                        + generated.toAbsolutePath());
    }
}
