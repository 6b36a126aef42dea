package io.parley.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * config/grafana/parley.json has the structure Grafana imports: what a panel needs to render
 * (id, place, datasource, queries), the datasource and instance variables the queries use, and
 * panels that do not overlap. The queries' PromQL is checked by {@link PromtoolTest}, their
 * metric names against a live node by {@link ExportedMetricNamesTest}.
 */
class GrafanaDashboardTest {
    private static final String DATASOURCE_UID = "${DS_PROMETHEUS}";
    private final JsonNode dashboard = OpsFiles.dashboard();

    @Test
    void isOneJsonDocumentOfTheExpectedSchema() {
        assertThatCode(() -> new ObjectMapper().readTree(Files.readString(OpsFiles.DASHBOARD)))
                .doesNotThrowAnyException();
        assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("panels").size()).isGreaterThan(0);
    }

    @Test
    void everyPanelHasAUniqueIdAPlaceADatasourceAndQueries() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(title).as("title").isNotBlank();
            assertThat(panel.path("id").isInt()).as(title + ": id").isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as(title + ": id unique").isTrue();
            JsonNode place = panel.path("gridPos");
            for (String field : List.of("h", "w", "x", "y")) {
                assertThat(place.path(field).isInt()).as(title + ": gridPos." + field).isTrue();
            }
            assertThat(place.path("x").asInt() + place.path("w").asInt()).as(title + ": within 24 columns")
                    .isLessThanOrEqualTo(24);
            assertThat(panel.path("datasource").path("uid").asText()).as(title + ": datasource").isEqualTo(DATASOURCE_UID);
            assertThat(panel.path("targets").size()).as(title + ": targets").isGreaterThan(0);
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(title + ": expr").isNotBlank();
                assertThat(refIds.add(target.path("refId").asText())).as(title + ": refId unique").isTrue();
                assertThat(target.path("datasource").path("uid").asText()).as(title + ": target datasource")
                        .isEqualTo(DATASOURCE_UID);
            }
        }
    }

    @Test
    void panelsDoNotOverlap() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                assertThat(overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos")))
                        .as(panels.get(i).path("title").asText() + " / " + panels.get(j).path("title").asText())
                        .isFalse();
            }
        }
    }

    @Test
    void datasourceAndInstanceAreVariablesAndEveryQueryUsesTheInstanceOne() {
        JsonNode variables = dashboard.path("templating").path("list");
        JsonNode datasource = variable(variables, "DS_PROMETHEUS");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        JsonNode instance = variable(variables, "instance");
        assertThat(instance.path("type").asText()).isEqualTo("query");
        assertThat(instance.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE_UID);
        assertThat(instance.path("includeAll").asBoolean()).isTrue();

        for (String expr : OpsFiles.dashboardExpressions()) {
            assertThat(expr).as("filtered by node").contains("instance=~\"$instance\"");
        }
    }

    @Test
    void coversWhatAnOperatorWatches() {
        String queries = String.join("\n", OpsFiles.dashboardExpressions());
        for (String metric : List.of("parley_connections", "parley_frames_in_total", "parley_frames_out_total",
                "parley_messages_in_total", "parley_messages_out_total",
                "histogram_quantile(0.99, sum by (le) (rate(parley_history_commit_latency_seconds_bucket",
                "parley_history_batch_size_messages_sum", "parley_history_write_queue_depth",
                "parley_history_read_queue_depth", "parley_bus_publish_backlog", "parley_bus_republish_queue",
                "parley_bus_lag_seconds_bucket", "sum by (limit) (rate(parley_limit_rejections_total",
                "sum by (result, reason) (rate(parley_handshakes_total", "jvm_memory_used_bytes",
                "jvm_gc_pause_seconds", "jvm_threads_live_threads", "process_files_open_files",
                "process_cpu_usage")) {
            assertThat(queries).contains(metric);
        }
    }

    private static JsonNode variable(JsonNode variables, String name) {
        for (JsonNode variable : variables) {
            if (name.equals(variable.path("name").asText())) {
                return variable;
            }
        }
        throw new AssertionError("no dashboard variable " + name);
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }
}
