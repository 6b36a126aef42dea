package io.parley.gateway.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.parley.gateway.config.Settings.HISTORY_TIMEOUT;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.PORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code config/parley.yaml} and the table in {@code docs/configuration.md} are written from
 * {@link Settings}. Run with {@code -Dparley.writeReference=true} to rewrite them after changing a
 * key; without it, this fails while either file differs.
 */
class ConfigReferenceTest {
    private static final Path YAML = Path.of("..", "config", "parley.yaml");
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String TABLE_START = "<!-- settings table: written from Settings by ConfigReferenceTest -->\n";
    private static final String TABLE_END = "<!-- end of settings table -->\n";
    private static final boolean WRITE = Boolean.getBoolean("parley.writeReference");

    @Test
    void theShippedFileIsTheReferenceAndLoadsAsTheDefaults() throws IOException {
        if (WRITE) {
            Files.writeString(YAML, ConfigReference.yaml());
        }
        assertThat(Files.readString(YAML)).as("config/parley.yaml; rewrite it with -Dparley.writeReference=true")
                .isEqualTo(ConfigReference.yaml());
        ParleyConfig fromFile = ConfigLoader.load(Map.of("PARLEY_CONFIG", YAML.toString()));
        assertThat(fromFile.toString()).isEqualTo(ParleyConfig.defaults().toString());
        assertThat(fromFile.get(PORT)).isEqualTo(8080);
        assertThat(fromFile.get(MAX_FRAME_BYTES)).isEqualTo(65536);
        assertThat(fromFile.get(HISTORY_TIMEOUT)).hasSeconds(5);
    }

    @Test
    void theDocumentedTableIsTheReference() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf(TABLE_START);
        int end = doc.indexOf(TABLE_END);
        assertThat(start).as("docs/configuration.md marks its table").isNotNegative();
        assertThat(end).isGreaterThan(start);
        String table = doc.substring(start + TABLE_START.length(), end);
        if (WRITE) {
            Files.writeString(DOC, doc.substring(0, start + TABLE_START.length()) + ConfigReference.markdownTable()
                    + doc.substring(end));
            table = ConfigReference.markdownTable();
        }
        assertThat(table).as("docs/configuration.md's table; rewrite it with -Dparley.writeReference=true")
                .isEqualTo(ConfigReference.markdownTable());
    }

    @Test
    void everyKeyIsDocumentedWithItsBounds() {
        for (Setting<?> setting : Settings.ALL) {
            assertThat(setting.key()).matches("[a-z][a-z0-9_]*");
            assertThat(setting.doc()).as(setting.key()).isNotBlank().doesNotEndWith(".");
            assertThat(setting.bounds()).as(setting.key()).isNotBlank();
            assertThat(setting.defaultValue() != null || setting.unsetMeaning() != null)
                    .as(setting.key() + ": a default, or what leaving it unset means").isTrue();
            assertThat(setting.allows(null)).isTrue();
        }
        assertThat(Settings.ALL).extracting(Setting::key).doesNotHaveDuplicates();
    }
}
