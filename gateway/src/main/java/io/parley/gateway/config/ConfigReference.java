package io.parley.gateway.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference documents written from {@link Settings}: the shipped {@code config/parley.yaml}
 * and the table of {@code docs/configuration.md}. A test keeps both files equal to these.
 */
public final class ConfigReference {
    private static final int WIDTH = 100;
    private static final String YAML_HEADER = """
            # Parley node configuration: every key, with its default. Written from the node's own
            # definitions of its keys (a test keeps it so): edit those, not this file.
            #
            # The node runs with no file at all (these defaults are built in). To use a file, point
            # PARLEY_CONFIG at it:  PARLEY_CONFIG=config/parley.yaml java -jar gateway/target/parley-gateway.jar
            # Every key can also be set, with higher priority, by an environment variable: PARLEY_ plus the
            # key in upper case (port -> PARLEY_PORT). Unknown keys and bad values stop the node at start-up
            # with a message naming them. Durations: 250ms, 5s, 2m, 1h or ISO-8601 (PT5S).
            """;

    private ConfigReference() {
    }

    /** {@code config/parley.yaml}: every key with its default, grouped, each explained above it. */
    public static String yaml() {
        StringBuilder out = new StringBuilder(YAML_HEADER);
        Setting.Section section = null;
        for (Setting<?> setting : Settings.ALL) {
            if (setting.section() != section) {
                section = setting.section();
                String title = "# --- " + section.title() + " ";
                out.append('\n').append(title).append("-".repeat(WIDTH - title.length())).append('\n');
            }
            for (String line : wrap(meaning(setting) + " Allowed: " + setting.bounds() + ".", WIDTH - 2)) {
                out.append("# ").append(line).append('\n');
            }
            out.append(setting.key()).append(':');
            String value = setting.defaultText();
            if (!value.isEmpty()) {
                out.append(' ').append(value.startsWith("*") ? '"' + value + '"' : value);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The table of environment variables in {@code docs/configuration.md}. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder("| variable | default | allowed | meaning |\n|---|---|---|---|\n");
        row(out, ConfigLoader.CONFIG_FILE_VARIABLE, "", "a YAML file", "The keys below, in lower case.");
        row(out, ConfigLoader.LOG_LEVEL_VARIABLE, "INFO", "TRACE, DEBUG, INFO, WARN, ERROR",
                "Root log level (read by logback, so not a key of the file).");
        for (Setting<?> setting : Settings.ALL) {
            row(out, setting.environmentVariable(), setting.defaultText(), setting.bounds(), meaning(setting));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String variable, String defaultText, String bounds, String meaning) {
        out.append("| `").append(variable).append("` | ")
                .append(defaultText.isEmpty() ? "—" : "`" + defaultText + "`").append(" | ")
                .append(bounds).append(" | ").append(meaning.replace("|", "\\|")).append(" |\n");
    }

    private static String meaning(Setting<?> setting) {
        String doc = Character.toUpperCase(setting.doc().charAt(0)) + setting.doc().substring(1) + ".";
        return setting.unsetMeaning() == null ? doc : doc + " Unset: " + setting.unsetMeaning() + ".";
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
