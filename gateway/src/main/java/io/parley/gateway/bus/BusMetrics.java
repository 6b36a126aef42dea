package io.parley.gateway.bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cluster bus's meters; Prometheus shows them as {@code parley_bus_*} (README "Operations").
 */
public final class BusMetrics {
    private final MeterRegistry registry;
    private final Counter published;
    private final DistributionSummary publishBatch;
    private final Counter received;
    private final Timer lag;
    private final Counter reconnects;
    private final Counter failovers;
    private final Counter resubscriptions;
    private final Counter gapsFilled;
    private final Counter gapsSkipped;
    private final Counter duplicates;
    private final Counter lateDeliveries;
    private final Counter republished;
    private final Counter republishDropped;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    public BusMetrics(MeterRegistry registry) {
        this.registry = registry;
        published = Counter.builder("parley.bus.published")
                .description("Events sent to other nodes (one per event and node hosting a recipient)").register(registry);
        publishBatch = DistributionSummary.builder("parley.bus.publish.batch")
                .description("Events per publishing command (they share one PUBLISH per node)").register(registry);
        received = Counter.builder("parley.bus.received")
                .description("Events received from other nodes").register(registry);
        lag = Timer.builder("parley.bus.lag")
                .description("Time from publish on one node to receipt on another (wall clocks)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        reconnects = Counter.builder("parley.bus.reconnects")
                .description("Redis connections re-established after a loss").register(registry);
        failovers = Counter.builder("parley.bus.failovers")
                .description("Reconnects that reached another Redis server than before (a Sentinel failover)")
                .register(registry);
        resubscriptions = Counter.builder("parley.bus.resubscriptions")
                .description("Channel subscriptions renewed after a reconnect").register(registry);
        gapsFilled = Counter.builder("parley.bus.gaps.filled")
                .description("Messages missing from the bus that were delivered from history").register(registry);
        gapsSkipped = Counter.builder("parley.bus.gaps.skipped")
                .description("Messages given up on (history unavailable or reorder buffer full); they stay in history")
                .register(registry);
        duplicates = Counter.builder("parley.bus.duplicates")
                .description("Messages received again after delivery (dropped)").register(registry);
        lateDeliveries = Counter.builder("parley.bus.late")
                .description("Messages older than a chat's first tracked one, delivered out of order").register(registry);
        republished = Counter.builder("parley.bus.republished")
                .description("Publications sent again after Redis came back").register(registry);
        republishDropped = Counter.builder("parley.bus.republish.dropped")
                .description("Publications dropped because the republish buffer was full (still in history)")
                .register(registry);
    }

    void published(int count) { published.increment(count); }
    void publishBatch(int events) { publishBatch.record(events); }
    void received(long sentAtMicros, long nowMicros) {
        received.increment();
        lag.record(Math.max(0, nowMicros - sentAtMicros), TimeUnit.MICROSECONDS);
    }
    void reconnected() { reconnects.increment(); }
    void failedOver() { failovers.increment(); }
    void resubscribed() { resubscriptions.increment(); }
    void gapsFilled(int count) { gapsFilled.increment(count); }
    void gapsSkipped(long count) { gapsSkipped.increment(count); }
    void duplicate() { duplicates.increment(); }
    void lateDelivery() { lateDeliveries.increment(); }
    void republished() { republished.increment(); }
    void republishDropped() { republishDropped.increment(); }

    /** A failure at one stage: lookup, publish, decode, register, gap_fill, heartbeat. */
    public void error(String stage) {
        errors.computeIfAbsent(stage, s -> Counter.builder("parley.bus.errors")
                .description("Cluster bus failures by stage (Redis or history unavailable, bad frame)")
                .tag("stage", s).register(registry)).increment();
    }

    /** Registers a gauge read from {@code value} (held messages, republish queue, connected). */
    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Connections open to each Redis server, by its address (a master that died shows 0). */
    void endpointConnections(String endpoint, Supplier<Number> open) {
        Gauge.builder("parley.bus.redis.connections", open)
                .description("Connections open from this node to a Redis server (bus, commands, subscriptions)")
                .tag("endpoint", endpoint).register(registry);
    }

    /** For tests and the benchmark: a counter's current value by metric name. */
    public double count(String name) {
        Counter counter = registry.find(name).counter();
        return counter == null ? 0 : counter.count();
    }
}
