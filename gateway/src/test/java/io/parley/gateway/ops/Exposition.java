package io.parley.gateway.ops;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one scrape of {@code /metrics} (Prometheus text format) exports: the names of its samples
 * ({@code parley_history_commit_latency_seconds_bucket}, ...) and the type of each metric family
 * ({@code parley_history_commit_latency_seconds} histogram, ...).
 */
record Exposition(String text, Set<String> sampleNames, Map<String, String> familyTypes) {

    static Exposition parse(String text) {
        Set<String> samples = new TreeSet<>();
        Map<String, String> types = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                samples.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
            }
        }
        return new Exposition(text, samples, types);
    }

    /** Both scrapes' samples together. */
    static Set<String> union(Exposition a, Exposition b) {
        Set<String> all = new TreeSet<>(a.sampleNames);
        all.addAll(b.sampleNames);
        return all;
    }

    /**
     * The families an operator reads, without the {@code _max} gauge Micrometer adds beside each
     * timer and distribution summary.
     */
    Set<String> families(String prefix) {
        Set<String> families = new TreeSet<>();
        familyTypes.forEach((name, type) -> {
            boolean companionMax = name.endsWith("_max")
                    && Set.of("histogram", "summary").contains(familyTypes.get(name.substring(0, name.length() - 4)));
            if (name.startsWith(prefix) && !companionMax) {
                families.add(name);
            }
        });
        return families;
    }

    /**
     * The sum of the values of the samples of that name having every given label, e.g.
     * {@code value("parley_errors_total", "code=\"400\"")}; 0 when there is none.
     */
    double value(String name, String... labels) {
        return text.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> java.util.Arrays.stream(labels).allMatch(label -> line.contains(label)))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
