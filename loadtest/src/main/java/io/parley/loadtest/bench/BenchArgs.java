package io.parley.loadtest.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} arguments over documented defaults; an unknown key fails at once (no silent typo). */
final class BenchArgs {
    private final Map<String, String> values;

    private BenchArgs(Map<String, String> values) {
        this.values = values;
    }

    /** @param defaults alternating keys and default values */
    static BenchArgs parse(String[] args, String... defaults) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < defaults.length; i += 2) {
            values.put(defaults[i], defaults[i + 1]);
        }
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2 || !values.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + values.keySet());
            }
            values.put(kv[0], kv[1]);
        }
        return new BenchArgs(values);
    }

    String get(String key) {
        return values.get(key);
    }

    int integer(String key) {
        return Integer.parseInt(values.get(key));
    }

    double number(String key) {
        return Double.parseDouble(values.get(key));
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.computeIfPresent("password", (k, v) -> "***");
        return shown.toString();
    }
}
