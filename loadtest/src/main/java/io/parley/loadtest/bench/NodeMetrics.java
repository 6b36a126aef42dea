package io.parley.loadtest.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape of a node's {@code /metrics}, and what two scrapes say about the phase between them:
 * the node's own view (commit latency, batch size), to tell the database's share of an ack's
 * latency from the rest (queues, event loops, the client).
 */
final class NodeMetrics {
    private static final String COMMIT_BUCKET = "parley_history_commit_latency_seconds_bucket{le=\"";

    private final Map<String, Double> values;

    private NodeMetrics(Map<String, Double> values) {
        this.values = values;
    }

    static NodeMetrics scrape(GatewayProcess node) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.uri("/metrics", "http")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new TreeMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (line.startsWith("#") || space < 0) {
                continue;
            }
            try {
                values.merge(line.substring(0, space), Double.parseDouble(line.substring(space + 1)), Double::sum);
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
        return new NodeMetrics(values);
    }

    /** "commits N, mean batch B, commit p50 <= x ms, p99 <= y ms" for the phase from {@code before} to this. */
    String historySince(NodeMetrics before) {
        double commits = delta(before, "parley_history_batch_size_messages_count");
        double rows = delta(before, "parley_history_batch_size_messages_sum");
        return String.format(Locale.ROOT, "node: %.0f commits, mean batch %.1f, commit p50 <= %s ms, p99 <= %s ms,"
                        + " max <= %s ms", commits, commits == 0 ? 0 : rows / commits, commitPercentile(before, 50),
                commitPercentile(before, 99), commitPercentile(before, 100));
    }

    private double delta(NodeMetrics before, String key) {
        return values.getOrDefault(key, 0.0) - before.values.getOrDefault(key, 0.0);
    }

    /** The upper bound of the histogram bucket holding the percentile (Micrometer's buckets). */
    private String commitPercentile(NodeMetrics before, double percentile) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().startsWith(COMMIT_BUCKET)) {
                String le = e.getKey().substring(COMMIT_BUCKET.length(), e.getKey().indexOf('"', COMMIT_BUCKET.length()));
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                cumulative.merge(bound, e.getValue() - before.values.getOrDefault(e.getKey(), 0.0), Double::sum);
            }
        }
        if (cumulative.isEmpty()) {
            return "?";
        }
        double total = cumulative.lastEntry().getValue();
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (total > 0 && e.getValue() >= total * percentile / 100) {
                return String.format(Locale.ROOT, "%.1f", e.getKey() * 1000);
            }
        }
        return "?";
    }
}
