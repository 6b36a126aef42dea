package io.parley.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.parley.gateway.bus.ClusterView;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.metrics.RefusedHandshakes;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.config.Settings.NODE_ID;

/**
 * What the node view ({@code GET /api/v1/admin/node}, the page at {@code /admin}) shows of this
 * node, read at once: who it is and since when, its connections by dialect, its traffic counters
 * and the commit latency histogram (cumulative since start: a client computes rates and recent
 * percentiles from two readings), the cluster as it sees it, its effective configuration as the
 * start-up log prints it (secrets hidden) and its last refused handshakes. Counters and latencies
 * are the node's own meters, the ones {@code /metrics} exports. Cheap enough to read every second
 * on an event loop: nothing here waits for storage or Redis.
 */
public final class NodeView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int nodeId;
    private final MeterReadings meters;
    private final Map<String, String> configuration;
    private final ClusterView cluster;
    private final RefusedHandshakes refused;

    public NodeView(ParleyConfig config, MeterRegistry registry, ClusterView cluster, RefusedHandshakes refused) {
        this.nodeId = config.get(NODE_ID);
        this.meters = new MeterReadings(registry);
        this.configuration = config.shown(); // immutable once started: read once
        this.cluster = cluster;
        this.refused = refused;
    }

    /** The document {@code openapi.yaml} describes as {@code NodeView}. */
    public ObjectNode snapshot() {
        ObjectNode view = JSON.createObjectNode();
        view.set("node", node());
        view.set("connections", connections());
        view.set("traffic", traffic());
        view.set("commit_latency", commitLatency());
        view.set("cluster", cluster());
        ObjectNode shown = view.putObject("configuration");
        configuration.forEach(shown::put);
        view.set("refused_handshakes", refusedHandshakes());
        return view;
    }

    private ObjectNode node() {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", nodeId);
        node.put("version", meters.tag("parley.build.info", "version"));
        node.put("java", meters.tag("parley.build.info", "java"));
        double started = meters.seconds("process.start.time");
        node.put("started_at", started == 0 ? null : Instant.ofEpochMilli(Math.round(started * 1_000)).toString());
        node.put("uptime_seconds", meters.seconds("process.uptime"));
        return node;
    }

    private ObjectNode connections() {
        ObjectNode connections = JSON.createObjectNode();
        ObjectNode byDialect = JSON.createObjectNode();
        long total = 0;
        for (Map.Entry<String, Double> dialect : meters.gaugesBy("parley.connections", "dialect").entrySet()) {
            long open = Math.round(dialect.getValue());
            byDialect.put(dialect.getKey(), open);
            total += open;
        }
        connections.put("total", total);
        connections.set("by_dialect", byDialect);
        return connections;
    }

    private ObjectNode traffic() {
        ObjectNode traffic = JSON.createObjectNode();
        traffic.put("frames_in", (long) meters.counter("parley.frames.in"));
        traffic.put("frames_out", (long) meters.counter("parley.frames.out"));
        traffic.put("messages_in", (long) meters.counter("parley.messages.in"));
        traffic.put("deliveries", (long) meters.counter("parley.messages.out"));
        traffic.put("handshakes_accepted", (long) meters.counter("parley.handshakes", "result", "accepted"));
        traffic.put("handshakes_refused", (long) meters.counter("parley.handshakes", "result", "rejected"));
        return traffic;
    }

    private ObjectNode commitLatency() {
        ObjectNode latency = JSON.createObjectNode();
        HistogramSnapshot snapshot = meters.timer("parley.history.commit.latency");
        latency.put("count", snapshot == null ? 0 : snapshot.count());
        latency.put("sum_seconds", snapshot == null ? 0 : snapshot.total(TimeUnit.SECONDS));
        latency.put("max_seconds", snapshot == null ? 0 : snapshot.max(TimeUnit.SECONDS));
        ArrayNode buckets = latency.putArray("buckets");
        if (snapshot != null) {
            for (CountAtBucket bucket : snapshot.histogramCounts()) {
                buckets.addObject().put("le", bucket.bucket(TimeUnit.SECONDS)).put("count", (long) bucket.count());
            }
        }
        return latency;
    }

    private ObjectNode cluster() {
        ClusterView.State state = cluster.now();
        ObjectNode view = JSON.createObjectNode();
        view.put("bus", state.bus());
        view.put("connected", state.connected());
        ArrayNode nodes = view.putArray("nodes");
        state.nodes().forEach(nodes::add);
        ArrayNode servers = view.putArray("redis_servers");
        meters.gaugesBy("parley.bus.redis.connections", "endpoint").forEach((endpoint, open) ->
                servers.addObject().put("endpoint", endpoint).put("connections", Math.round(open)));
        return view;
    }

    private JsonNode refusedHandshakes() {
        ObjectNode view = JSON.createObjectNode();
        view.put("capacity", RefusedHandshakes.CAPACITY);
        ArrayNode recent = view.putArray("recent");
        for (RefusedHandshakes.Refusal refusal : refused.recent()) {
            recent.addObject()
                    .put("time", refusal.time().toString())
                    .put("remote_address", refusal.remoteAddress())
                    .put("path", refusal.path())
                    .put("reason", refusal.reason())
                    .put("status", refusal.status());
        }
        return view;
    }
}
