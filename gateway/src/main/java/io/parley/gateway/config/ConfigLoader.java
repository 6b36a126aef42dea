package io.parley.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds {@link ParleyConfig} from, in increasing priority: the built-in defaults, an optional
 * YAML file ({@code PARLEY_CONFIG=path}, flat keys as in {@code config/parley.yaml}) and
 * environment variables ({@code PARLEY_} + the key in upper case, e.g. {@code PARLEY_PORT}).
 * Unknown keys in the file and unparsable values fail start-up with a message naming them;
 * {@code PARLEY_*} variables that are not keys are warned about and ignored ({@link EnvironmentKeys}).
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE_VARIABLE = "PARLEY_CONFIG";
    /** Read by logback.xml itself, not a configuration key. */
    public static final String LOG_LEVEL_VARIABLE = "PARLEY_LOG_LEVEL";
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

    private ConfigLoader() {
    }

    /** Every environment variable the node reads: the file's name, the log level, and one per key. */
    public static List<String> environmentVariables() {
        return Stream.concat(Stream.of(CONFIG_FILE_VARIABLE, LOG_LEVEL_VARIABLE),
                Settings.ALL.stream().map(Setting::environmentVariable)).toList();
    }

    public static ParleyConfig load(Map<String, String> environment) {
        Map<String, String> values = new TreeMap<>();
        String file = environment.get(CONFIG_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            values.putAll(readYaml(Path.of(file)));
        }
        Set<String> keys = Settings.ALL.stream().map(Setting::key).collect(Collectors.toSet());
        values.putAll(EnvironmentKeys.of(environment, keys, Set.of(CONFIG_FILE_VARIABLE, LOG_LEVEL_VARIABLE), log::warn));
        return fromValues(values);
    }

    /** Applies flat key/value pairs over the defaults. Blank values mean "not set". */
    public static ParleyConfig fromValues(Map<String, String> values) {
        ParleyConfig.Builder builder = ParleyConfig.builder();
        values.forEach((key, value) -> {
            Setting<?> setting = Settings.byKey(key);
            if (setting == null) {
                throw new IllegalArgumentException("unknown configuration key '" + key + "'; known keys: "
                        + Settings.ALL);
            }
            if (value == null || value.isBlank()) {
                return;
            }
            try {
                builder.parse(setting, value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("bad value for " + key + " ('" + value + "'): " + e.getMessage(), e);
            }
        });
        return builder.build();
    }

    private static Map<String, String> readYaml(Path path) {
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
            Map<String, String> values = new TreeMap<>();
            if (root == null || root.isNull() || root.isMissingNode()) {
                return values;
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException("configuration file " + path + " must be a mapping of keys to values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (value.isNull()) {
                    continue;
                }
                values.put(field.getKey(), value.isArray() ? joinArray(value) : value.asText());
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + path, e);
        }
    }

    private static String joinArray(JsonNode array) {
        StringBuilder joined = new StringBuilder();
        array.forEach(item -> joined.append(joined.length() == 0 ? "" : ",").append(item.asText()));
        return joined.toString();
    }
}
