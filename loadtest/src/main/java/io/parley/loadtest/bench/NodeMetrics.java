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
    private static final String COMMIT_BUCKET = "parley_history_commit_latency_seconds_bucket{";
    private static final String BATCH_WAIT_BUCKET = "parley_history_batch_wait_seconds_bucket{";
    private static final String BUS_LAG_BUCKET = "parley_bus_lag_seconds_bucket{";
    private static final String WEBHOOK_LAG_BUCKET = "parley_webhook_lag_seconds_bucket{";

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

    /**
     * "commits N, mean batch B, commit p50 <= x ms, p99 <= y ms, ..., oldest's wait p50 <= w ms" for
     * the phase from {@code before} to this.
     */
    String historySince(NodeMetrics before) {
        double commits = delta(before, "parley_history_batch_size_messages_count");
        double rows = delta(before, "parley_history_batch_size_messages_sum");
        return String.format(Locale.ROOT, "node: %.0f commits, mean batch %.1f, commit p50 <= %s ms, p99 <= %s ms,"
                        + " max <= %s ms; batch's oldest waited p50 <= %s ms, p99 <= %s ms", commits,
                commits == 0 ? 0 : rows / commits,
                percentile(before, COMMIT_BUCKET, 50), percentile(before, COMMIT_BUCKET, 99),
                percentile(before, COMMIT_BUCKET, 100), percentile(before, BATCH_WAIT_BUCKET, 50),
                percentile(before, BATCH_WAIT_BUCKET, 99));
    }

    /**
     * "allocated A MB (B bytes per operation), GC: N pauses, P ms" for the phase: garbage is what
     * pauses are made of, and a pause delays every delivery in flight. The JVM counts allocation
     * only at each collection, so a phase without one says so instead of showing zero bytes, and
     * a phase's figure is the young generation's worth of whole collections: read it as a rate
     * only over several of them.
     */
    String memorySince(NodeMetrics before, double operations, String operation) {
        double pauses = deltaOfAll(before, "jvm_gc_pause_seconds_count{");
        if (pauses == 0) {
            return "GC: no collection in the phase (allocation not counted)";
        }
        double allocated = delta(before, "jvm_gc_memory_allocated_bytes_total");
        return String.format(Locale.ROOT, "allocated %.0f MB (%.0f bytes per %s), GC: %.0f pauses, %.0f ms",
                allocated / 1e6, operations == 0 ? 0 : allocated / operations, operation, pauses,
                1e3 * deltaOfAll(before, "jvm_gc_pause_seconds_sum{"));
    }

    /** What the receiving node of the bus saw in the phase: arrivals, their lag, repairs of order. */
    String busSince(NodeMetrics before) {
        return String.format(Locale.ROOT, "node: %.0f bus arrivals, lag p50 <= %s ms, p99 <= %s ms, max <= %s ms;"
                        + " %.0f gap-filled from history, %.0f duplicates, %.0f late",
                delta(before, "parley_bus_received_total"), percentile(before, BUS_LAG_BUCKET, 50),
                percentile(before, BUS_LAG_BUCKET, 99), percentile(before, BUS_LAG_BUCKET, 100),
                delta(before, "parley_bus_gaps_filled_total"), delta(before, "parley_bus_duplicates_total"),
                delta(before, "parley_bus_late_total"));
    }

    /** The webhook dispatcher's own view of the phase: deliveries, failed attempts, its lag (commit to 2xx). */
    String webhookSince(NodeMetrics before) {
        return String.format(Locale.ROOT, "node: %.0f webhook events delivered, %.0f failed attempts,"
                        + " lag p50 <= %s ms, p99 <= %s ms, max <= %s ms; queued %.0f, in flight %.0f at the end",
                delta(before, "parley_webhook_delivered_total"), deltaOfAll(before, "parley_webhook_failures_total"),
                percentile(before, WEBHOOK_LAG_BUCKET, 50), percentile(before, WEBHOOK_LAG_BUCKET, 99),
                percentile(before, WEBHOOK_LAG_BUCKET, 100), values.getOrDefault("parley_webhook_queued", 0.0),
                values.getOrDefault("parley_webhook_in_flight", 0.0));
    }

    /** The change of every series whose name and labels start with {@code prefix}, summed. */
    private double deltaOfAll(NodeMetrics before, String prefix) {
        return values.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(e -> e.getValue() - before.values.getOrDefault(e.getKey(), 0.0)).sum();
    }

    private double delta(NodeMetrics before, String key) {
        return values.getOrDefault(key, 0.0) - before.values.getOrDefault(key, 0.0);
    }

    /** The upper bound of the histogram bucket holding the percentile (Micrometer's buckets). */
    private String percentile(NodeMetrics before, String bucketPrefix, double percentile) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().startsWith(bucketPrefix)) {
                int at = e.getKey().indexOf("le=\"") + 4;
                String le = e.getKey().substring(at, e.getKey().indexOf('"', at));
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
