package io.parley.gateway.ops;

import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metric names config/alerts.yml, config/grafana/parley.json and docs/operations.md use are
 * the ones real nodes export: a single node (with a webhook) and a cluster node (Redis bus), each scraped over
 * HTTP after traffic that registers the lazily created series. A renamed meter fails here
 * rather than leave an alert that can never fire.
 */
class ExportedMetricNamesTest {
    /** Prometheus' own series, not the node's. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static TestRedis redis;
    private static Exposition single;
    private static Exposition cluster;

    @BeforeAll
    static void scrapeASingleNodeAndAClusterNode() throws Exception {
        // With a webhook (nothing listens there: no event of this traffic is delivered) for its series.
        try (TestNode node = TestNode.start(b -> NodeTraffic.limits(b).set(WEBHOOK_URL, "http://127.0.0.1:9/hook")
                .set(WEBHOOK_SECRET, "webhook-secret-webhook-secret-0123456789"))) {
            NodeTraffic.everything(node);
            single = scrape(node);
        }
        redis = TestRedis.start();
        try (TestNode node = TestNode.start(b -> b.set(NODE_ID, 1).set(REDIS_URL, redis.url()))) {
            NodeTraffic.chat(node, "ops-k1", 990_002);
            NodeTraffic.busError(node, redis.url());
            cluster = scrape(node);
        }
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyMetricTheAlertsReadIsExported() {
        Set<String> names = withoutPrometheusOwn(OpsFiles.alertMetricNames());
        assertThat(names).contains("parley_history_commit_latency_seconds_bucket", "parley_bus_connected",
                "process_files_open_files");
        assertThat(Exposition.union(single, cluster)).containsAll(names);
    }

    @Test
    void everyMetricTheDashboardReadsIsExported() {
        Set<String> names = withoutPrometheusOwn(OpsFiles.dashboardMetricNames());
        assertThat(names).contains("parley_connections", "parley_bus_lag_seconds_bucket", "parley_build_info");
        assertThat(Exposition.union(single, cluster)).containsAll(names);
    }

    /** Only the bus's series need a cluster: everything else is on every node. */
    @Test
    void aSingleNodeLacksOnlyTheBusSeries() {
        Set<String> used = withoutPrometheusOwn(OpsFiles.alertMetricNames());
        used.addAll(withoutPrometheusOwn(OpsFiles.dashboardMetricNames()));
        used.removeAll(single.sampleNames());
        assertThat(used).isNotEmpty().allMatch(name -> name.startsWith("parley_bus_"));
    }

    /** {@code _bucket} needs a histogram; {@code _sum}/{@code _count} a histogram or a summary. */
    @Test
    void histogramSeriesAreReadFromHistograms() {
        Set<String> used = new TreeSet<>(OpsFiles.alertMetricNames());
        used.addAll(OpsFiles.dashboardMetricNames());
        for (String name : used) {
            if (name.endsWith("_bucket")) {
                assertThat(type(name, "_bucket")).as(name).isEqualTo("histogram");
            } else if (name.endsWith("_sum") || name.endsWith("_count")) {
                assertThat(type(name, name.endsWith("_sum") ? "_sum" : "_count")).as(name)
                        .isIn("histogram", "summary");
            }
        }
    }

    @Test
    void queueCapacityIsExportedAsConfiguredAndCallLatencyHasBuckets() {
        assertThat(single.value("parley_history_write_queue_capacity")).isEqualTo(NodeTraffic.WRITE_QUEUE_CAPACITY);
        assertThat(single.value("parley_history_write_queue_depth")).isZero();
        assertThat(single.familyTypes()).containsEntry("parley_history_call_latency_seconds", "histogram");
        assertThat(single.value("parley_history_call_latency_seconds_bucket",
                "operation=\"open_support_chat\"", "le=\"+Inf\""))
                .isGreaterThanOrEqualTo(1);
    }

    /** The traffic did what it was for: each lazily created series counts what happened. */
    @Test
    void theTrafficRegisteredTheLazySeries() {
        assertThat(single.value("parley_handshakes_total", "reason=\"missing\"", "result=\"rejected\"")).isEqualTo(1);
        assertThat(single.value("parley_limit_rejections_total", "limit=\"connections_per_user\"")).isEqualTo(1);
        assertThat(single.value("parley_slow_consumers_closed_total", "dialect=\"events\"")).isEqualTo(1);
        assertThat(single.value("parley_protocol_closes_total", "code=\"1003\"")).isEqualTo(1);
        assertThat(single.value("parley_errors_total", "code=\"400\"")).isEqualTo(1);
        assertThat(cluster.value("parley_bus_errors_total", "stage=\"decode\"")).isEqualTo(1);
        assertThat(cluster.value("parley_bus_connected")).isEqualTo(1);
    }

    /** Micrometer's Netty binders on every node; Lettuce's command latencies on a cluster node. */
    @Test
    void nettyAndLettuceSeriesAreExported() {
        assertThat(single.sampleNames()).contains("netty_allocator_memory_used",
                "netty_eventexecutor_tasks_pending");
        assertThat(cluster.sampleNames()).contains("lettuce_command_completion_seconds_count",
                "lettuce_command_firstresponse_seconds_count");
    }

    /** docs/operations.md lists what a node exports, no more and no less. */
    @Test
    void theOperationsTableMatchesTheExportedParleyMetrics() {
        Set<String> documented = OpsFiles.documentedParleyNames();
        Set<String> exported = Exposition.union(single, cluster);
        exported.addAll(single.familyTypes().keySet());
        exported.addAll(cluster.familyTypes().keySet());
        assertThat(exported).as("documented but not exported").containsAll(documented);

        Set<String> families = single.families("parley_");
        families.addAll(cluster.families("parley_"));
        assertThat(documented).as("exported but not documented").containsAll(families);
    }

    private static String type(String series, String suffix) {
        String family = series.substring(0, series.length() - suffix.length());
        String type = single.familyTypes().getOrDefault(family, cluster.familyTypes().get(family));
        return type == null ? "no family " + family : type;
    }

    private static Set<String> withoutPrometheusOwn(Set<String> names) {
        Set<String> result = new TreeSet<>(names);
        result.removeAll(PROMETHEUS_OWN);
        return result;
    }

    private static Exposition scrape(TestNode node) throws IOException, InterruptedException {
        var response = node.get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return Exposition.parse(response.body());
    }
}
