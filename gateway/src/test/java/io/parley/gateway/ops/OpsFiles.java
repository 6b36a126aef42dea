package io.parley.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The monitoring files of {@code config/} and the metric table of docs/operations.md. */
final class OpsFiles {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize(); // surefire runs in gateway/
    static final Path CONFIG = ROOT.resolve("config");
    static final Path PROMETHEUS = CONFIG.resolve("prometheus.yml");
    static final Path ALERTS = CONFIG.resolve("alerts.yml");
    static final Path ALERTS_TEST = CONFIG.resolve("alerts_test.yml");
    static final Path DASHBOARD = CONFIG.resolve("grafana").resolve("parley.json");
    static final Path OPERATIONS = ROOT.resolve("docs").resolve("operations.md");

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");
    private static final Pattern TABLE_NAME = Pattern.compile("`(parley_[a-z0-9_]+)`");

    private OpsFiles() {
    }

    static JsonNode alerts() {
        return read(ALERTS, new ObjectMapper(new YAMLFactory()));
    }

    static JsonNode dashboard() {
        return read(DASHBOARD, new ObjectMapper());
    }

    /** Every alert rule's expression. */
    static List<String> alertExpressions() {
        List<String> exprs = new ArrayList<>();
        alerts().path("groups").forEach(g -> g.path("rules").forEach(r -> exprs.add(r.path("expr").asText())));
        return exprs;
    }

    /** Every panel query of the dashboard. */
    static List<String> dashboardExpressions() {
        List<String> exprs = new ArrayList<>();
        dashboard().path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        return exprs;
    }

    /** Metric names the alert rules read. */
    static Set<String> alertMetricNames() {
        Set<String> names = new TreeSet<>();
        alertExpressions().forEach(e -> names.addAll(PromQlNames.of(e)));
        return names;
    }

    /** Metric names the dashboard reads: its panels and its variables' label_values(...). */
    static Set<String> dashboardMetricNames() {
        Set<String> names = new TreeSet<>();
        dashboardExpressions().forEach(e -> names.addAll(PromQlNames.of(e)));
        dashboard().path("templating").path("list").forEach(v -> {
            Matcher m = LABEL_VALUES.matcher(v.path("query").path("query").asText(v.path("query").asText()));
            if (m.find()) {
                names.add(m.group(1));
            }
        });
        return names;
    }

    /** The {@code parley_*} names in the tables of docs/operations.md. */
    static Set<String> documentedParleyNames() {
        Set<String> names = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(OPERATIONS)) {
                if (line.trim().startsWith("|")) {
                    Matcher m = TABLE_NAME.matcher(line);
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
