package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/settings.md} holds the one settings table, generated from {@link Settings#definitions()}:
 * this test fails when the file's table differs from what the definitions give. To rewrite the
 * table after changing a definition: {@code mvn -pl server test -Dtest=SettingsDocTest
 * -Dsettings.doc.write=true} (only the part between the markers is replaced).
 */
class SettingsDocTest {
    static final String BEGIN = "<!-- BEGIN generated from Settings.definitions() by SettingsDocTest; do not edit by hand -->";
    static final String END = "<!-- END generated -->";

    static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| setting | environment variable | type | default | what it does / what a client sees |\n");
        b.append("|---|---|---|---|---|\n");
        for (Settings.Definition d : Settings.definitions()) {
            b.append("| `").append(d.key()).append("` | `").append(d.envName()).append("` | ").append(d.type())
                    .append(" | `").append(d.defaultText()).append("` | ").append(d.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return b.toString();
    }

    @Test
    void docsSettingsIsTheTableOfTheDefinitions() throws IOException {
        Path doc = Path.of("..", "docs", "settings.md"); // surefire runs in the module folder
        String text = Files.readString(doc);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("%s has the begin marker", doc).isGreaterThanOrEqualTo(0);
        assertThat(end).as("%s has the end marker after it", doc).isGreaterThan(begin);
        String current = text.substring(begin + BEGIN.length(), end).strip() + "\n";
        String expected = table();
        if (Boolean.getBoolean("settings.doc.write") && !current.equals(expected)) {
            Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + "\n" + expected + text.substring(end));
            return;
        }
        assertThat(current)
                .as("docs/settings.md is out of date: rerun with -Dsettings.doc.write=true (see this test's Javadoc)")
                .isEqualTo(expected);
    }
}
