package io.loomsocket.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table lists every setting with its environment variable and default. */
class ReadmeSettingsTest {

    @Test
    void everySettingIsInTheReadmeWithItsVariableAndDefault() throws IOException {
        Path readme = Path.of("..", "README.md"); // surefire runs in the module folder
        String text = Files.readString(readme);
        for (Settings.Definition d : Settings.definitions()) {
            String row = text.lines().filter(l -> l.startsWith("| `" + d.key() + "` |")).findFirst().orElse(null);
            assertThat(row).as("README row for setting %s", d.key()).isNotNull();
            assertThat(row).as("environment variable of %s", d.key()).contains("`" + d.envName() + "`");
            assertThat(row).as("default of %s", d.key()).contains("`" + d.defaultText() + "`");
        }
    }
}
