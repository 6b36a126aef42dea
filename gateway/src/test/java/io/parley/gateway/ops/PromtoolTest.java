package io.parley.gateway.ops;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus files of config/ as Prometheus itself reads them: the scrape configuration, the
 * alert rules, their unit tests ({@code promtool test rules}: every alert fires for a sick node
 * and stays silent for a healthy one) and every query of the Grafana dashboard.
 */
class PromtoolTest {
    private static Path promtool;

    @BeforeAll
    static void findPromtool() {
        promtool = Promtool.require();
    }

    @Test
    void scrapeConfigIsValidAndLoadsTheAlertRules() {
        Promtool.Result result = Promtool.run(promtool, OpsFiles.CONFIG, "check", "config", "prometheus.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 1 rule files found");
    }

    @Test
    void alertRulesAreValid() {
        Promtool.Result result = Promtool.run(promtool, OpsFiles.CONFIG, "check", "rules", "alerts.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: " + OpsFiles.alertExpressions().size() + " rules found");
    }

    @Test
    void everyAlertFiresInItsUnitTestAndOnlyThere() throws IOException {
        Promtool.Result result = Promtool.run(promtool, OpsFiles.CONFIG, "test", "rules", "alerts_test.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");

        // Every alert has a case that expects it to fire (promtool alone would accept a missing one).
        String tests = Files.readString(OpsFiles.ALERTS_TEST);
        OpsFiles.alerts().path("groups").forEach(g -> g.path("rules").forEach(rule -> {
            String name = rule.path("alert").asText();
            assertThat(tests).as("a firing case for " + name)
                    .containsPattern("alertname: " + name + "\\s+exp_alerts:\\s+- exp_labels:");
        }));
    }

    /**
     * Each panel query becomes a recording rule, with Grafana's variables replaced by what they
     * stand for, so that promtool parses it as Prometheus would.
     */
    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws IOException {
        List<String> exprs = OpsFiles.dashboardExpressions();
        assertThat(exprs).isNotEmpty();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            String expr = exprs.get(i).replace("$__rate_interval", "1m").replace("$instance", ".*");
            assertThat(expr).as("no other Grafana variable").doesNotContain("$");
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        Files.writeString(dir.resolve("dashboard_rules.yml"), rules);

        Promtool.Result result = Promtool.run(promtool, dir, "check", "rules", "dashboard_rules.yml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: " + exprs.size() + " rules found");
    }
}
