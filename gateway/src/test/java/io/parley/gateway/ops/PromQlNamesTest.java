package io.parley.gateway.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The metric names found in PromQL: the check of config/ against a live node relies on them. */
class PromQlNamesTest {

    @Test
    void findsTheSeriesOfAHistogramQuantileButNotItsFunctionsLabelsOrDurations() {
        assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (job, instance, le) "
                + "(rate(parley_history_commit_latency_seconds_bucket{job=\"parley\"}[5m]))) > 0.1"))
                .containsExactly("parley_history_commit_latency_seconds_bucket");
    }

    @Test
    void findsBothSidesOfBinaryOperatorsAndSkipsKeywordsAndGrafanaVariables() {
        assertThat(PromQlNames.of("sum by (instance) (rate(a_total{result=\"rejected\"}[$__rate_interval])) > 1\n"
                + "and sum(rate(a_total[5m] offset 1h)) / on(instance) group_left b_total "
                + "or sum by (instance) (c{area=\"heap\", instance=~\"$instance\"} > 0)"))
                .containsExactly("a_total", "b_total", "c");
    }

    @Test
    void numbersAndDurationsAreNotNames() {
        assertThat(PromQlNames.of("up == 0 or vector(1e3) > 2.5e-3 or x[1h30m:1m]")).containsExactly("up", "x");
    }

    @Test
    void aggregationClausesAfterTheArgumentAreSkippedToo() {
        assertThat(PromQlNames.of("sum(rate(m_bucket[5m])) by (le, operation)")).containsExactly("m_bucket");
    }
}
