package io.parley.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, said once: its name, default, allowed values and meaning. Loading,
 * validation, the logged effective configuration, {@code --help}, {@code config/parley.yaml} and
 * the table in {@code docs/configuration.md} are all derived from these (see {@link Settings}).
 * Immutable; the {@code with...} methods return a changed copy.
 *
 * @param <T> the value's type; a {@code null} value means "not set"
 */
public final class Setting<T> {
    /** The groups of {@code config/parley.yaml}, in its order. */
    public enum Section {
        NETWORK("Network"), HISTORY("History store"), ATTACHMENTS("Attachments"), AUTHENTICATION("Authentication"), LIMITS("Limits"),
        DIALECTS("Dialects"), PRESENCE("Presence"), CLUSTER("Cluster"), WEBHOOKS("Webhooks"),
        SHUTDOWN("Shutdown (SIGTERM)"), LOGS("Logs");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    private final String key;
    private final Section section;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Function<T, String> format;
    private final Predicate<T> allowed;
    private final String bounds;
    private final String unsetMeaning;
    private final boolean secret;
    private final String doc;

    private Setting(String key, Section section, T defaultValue, Function<String, T> parser, Function<T, String> format,
                    Predicate<T> allowed, String bounds, String unsetMeaning, boolean secret, String doc) {
        this.key = key;
        this.section = section;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.format = format;
        this.allowed = allowed;
        this.bounds = bounds;
        this.unsetMeaning = unsetMeaning;
        this.secret = secret;
        this.doc = doc;
    }

    static Setting<Integer> integer(Section section, String key, int defaultValue, int min, int max, String doc) {
        return new Setting<>(key, section, defaultValue, Setting::parseInteger, String::valueOf,
                v -> v >= min && v <= max, max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max, null, false, doc);
    }

    static Setting<Duration> duration(Section section, String key, Duration defaultValue, Duration min, Duration max,
                                      String doc) {
        return new Setting<>(key, section, defaultValue, Setting::parseDuration, Setting::formatDuration,
                v -> v.compareTo(min) >= 0 && (max == null || v.compareTo(max) <= 0),
                max == null ? ">= " + formatDuration(min) : formatDuration(min) + ".." + formatDuration(max),
                null, false, doc);
    }

    /** A flag; {@code unsetMeaning} says what a {@code null} default means. */
    static Setting<Boolean> bool(Section section, String key, Boolean defaultValue, String unsetMeaning, String doc) {
        return new Setting<>(key, section, defaultValue, Setting::parseBoolean, String::valueOf, v -> true,
                "true, false", unsetMeaning, false, doc);
    }

    /** A string that may be left unset ({@code unsetMeaning} says what that means). */
    static Setting<String> text(Section section, String key, String defaultValue, String unsetMeaning, String doc) {
        return new Setting<>(key, section, defaultValue, v -> v, v -> v, v -> true, "text", unsetMeaning, false, doc);
    }

    /** A file or directory that may be left unset ({@code unsetMeaning} says what that means). */
    static Setting<Path> path(Section section, String key, Path defaultValue, String unsetMeaning, String doc) {
        return new Setting<>(key, section, defaultValue, Path::of, Path::toString, v -> true, "a path",
                unsetMeaning, false, doc);
    }

    static Setting<List<String>> list(Section section, String key, List<String> defaultValue, String doc) {
        return new Setting<>(key, section, defaultValue,
                v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                v -> String.join(",", v), v -> !v.isEmpty(), "one or more, comma-separated", null, false, doc);
    }

    /** One of {@code type}'s constants, named in lower case. */
    static <E extends Enum<E>> Setting<E> choice(Section section, String key, E defaultValue, Class<E> type, String doc) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        return new Setting<>(key, section, defaultValue, v -> {
            try {
                return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected " + String.join(" or ", names));
            }
        }, v -> v.name().toLowerCase(Locale.ROOT), v -> true, String.join(", ", names), null, false, doc);
    }

    /** This setting, also requiring {@code test} of every value; {@code bounds} says it to users. */
    Setting<T> withAllowed(Predicate<T> test, String bounds) {
        return new Setting<>(key, section, defaultValue, parser, format, test, bounds, unsetMeaning, secret, doc);
    }

    /** This setting, never printed: its value shows as {@code ***}. */
    Setting<T> asSecret() {
        return new Setting<>(key, section, defaultValue, parser, format, allowed, bounds, unsetMeaning, true, doc);
    }

    /** This setting, printed through {@code shown} (e.g. a URL without its password). */
    Setting<T> withFormat(Function<T, String> shown) {
        return new Setting<>(key, section, defaultValue, parser, shown, allowed, bounds, unsetMeaning, secret, doc);
    }

    public String key() {
        return key;
    }

    public Section section() {
        return section;
    }

    /** {@code PARLEY_} and the key in upper case. */
    public String environmentVariable() {
        return EnvironmentKeys.PREFIX + key.toUpperCase(Locale.ROOT);
    }

    /** The built-in value; {@code null} when the key is unset by default. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as written in the file and the docs: empty when unset. */
    public String defaultText() {
        return defaultValue == null ? "" : format.apply(defaultValue);
    }

    /** What leaving the key unset means, for keys without a default; {@code null} otherwise. */
    public String unsetMeaning() {
        return unsetMeaning;
    }

    /** The allowed values in words ({@code 0..65535}, {@code >= 1s}, {@code text, json}). */
    public String bounds() {
        return bounds;
    }

    public String doc() {
        return doc;
    }

    /** The value as the start-up log shows it: secrets hidden, unset as {@code -}. */
    public String shown(T value) {
        if (value == null) {
            return "-";
        }
        return secret ? "***" : format.apply(value);
    }

    T parse(String text) {
        return parser.apply(text.trim());
    }

    /** Whether {@code value} is one of the allowed values (unset always is). */
    public boolean allows(T value) {
        return value == null || allowed.test(value);
    }

    /** What is wrong with {@code value}, or {@code null} when it is allowed (unset always is). */
    String problem(T value) {
        if (allows(value)) {
            return null;
        }
        return key + " must be " + bounds + (secret ? "" : ", got " + format.apply(value));
    }

    @Override
    public String toString() {
        return key;
    }

    private static int parseInteger(String v) {
        return Integer.parseInt(v.replace("_", ""));
    }

    private static boolean parseBoolean(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    /** ISO-8601 ({@code PT5S}) or a number with a unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    static Duration parseDuration(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.length() < 2) {
            throw new IllegalArgumentException("expected a duration like 250ms, 5s, 2m, 1h or PT5S");
        }
        long amount = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("expected a duration like 250ms, 5s, 2m, 1h or PT5S");
        };
    }

    /** The largest whole unit: {@code 1h}, {@code 2m}, {@code 5s}, {@code 250ms}; ISO-8601 below a millisecond. */
    static String formatDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toNanosPart() % 1_000_000 != 0) {
            return d.toString();
        }
        long millis = d.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1_000 == 0 ? millis / 1_000 + "s" : millis + "ms";
    }
}
