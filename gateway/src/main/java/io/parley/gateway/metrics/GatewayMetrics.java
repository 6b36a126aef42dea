package io.parley.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.net.SocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's own meters (the history store registers its own). Names are Micrometer's dotted
 * form; Prometheus shows them as {@code parley_connections}, {@code parley_handshakes_total}, ...
 * README "Operations" lists them.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
    private final Map<String, Counter> framesOut = new ConcurrentHashMap<>();
    private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> slowConsumers = new ConcurrentHashMap<>();
    private final Map<String, Counter> protocolCloses = new ConcurrentHashMap<>();
    private final Map<String, Counter> limitRejections = new ConcurrentHashMap<>();
    private final Counter messagesIn;
    private final Counter repeatedSends;
    private final Counter deliveries;
    private final Counter presenceLookups;
    private final Counter presenceLookupUsers;
    private final RefusedHandshakes refusedHandshakes = new RefusedHandshakes(Clock.systemUTC());

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("parley.refused.handshakes.kept", refusedHandshakes, RefusedHandshakes::size)
                .description("Refused handshakes the node view lists (the last " + RefusedHandshakes.CAPACITY
                        + "; each one more drops the oldest)")
                .strongReference(true)
                .register(registry);
        this.messagesIn = Counter.builder("parley.messages.in")
                .description("Messages accepted from clients and committed").register(registry);
        this.repeatedSends = Counter.builder("parley.messages.repeated")
                .description("Sends repeated with a client message id, answered with the message stored first")
                .register(registry);
        this.deliveries = Counter.builder("parley.messages.out")
                .description("Pushed events written to connections on this node").register(registry);
        this.presenceLookups = Counter.builder("parley.presence.lookups")
                .description("Presence snapshots asked for (REST and dialects)").register(registry);
        this.presenceLookupUsers = Counter.builder("parley.presence.lookup.users")
                .description("Users answered in presence snapshots").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void connectionOpened(String dialect) {
        connectionGauge(dialect).incrementAndGet();
    }

    public void connectionClosed(String dialect) {
        connectionGauge(dialect).decrementAndGet();
    }

    /** A handshake refused before any upgrade: counted, and kept for the node view ({@link RefusedHandshakes}). */
    public void handshakeRefused(String reason, int status, SocketAddress remote, String uri) {
        handshake("rejected", reason);
        refusedHandshakes.add(remote, uri, reason, status);
    }

    /** The last refused handshakes, newest first, for the node view. */
    public RefusedHandshakes refusedHandshakes() {
        return refusedHandshakes;
    }

    public void handshake(String result, String reason) {
        handshakes.computeIfAbsent(result + '/' + reason, k -> Counter.builder("parley.handshakes")
                .description("WebSocket handshakes by result (accepted|rejected) and reason")
                .tag("result", result).tag("reason", reason).register(registry)).increment();
    }

    public void frameIn(String dialect) {
        perDialect(framesIn, "parley.frames.in", "Text frames received", dialect).increment();
    }

    public void frameOut(String dialect) {
        framesOut(dialect, 1);
    }

    public void framesOut(String dialect, int count) {
        perDialect(framesOut, "parley.frames.out", "Frames written (replies and pushes)", dialect).increment(count);
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void repeatedSend() {
        repeatedSends.increment();
    }

    public void deliveries(int count) {
        deliveries.increment(count);
    }

    /** A presence snapshot of {@code users} users. */
    public void presenceLookup(int users) {
        presenceLookups.increment();
        presenceLookupUsers.increment(users);
    }

    /** An error answered to a client, by its HTTP-like code. */
    public void error(int code) {
        errors.computeIfAbsent(Integer.toString(code), k -> Counter.builder("parley.errors")
                .description("Error replies sent to clients, by code").tag("code", k).register(registry)).increment();
    }

    public void slowConsumerClosed(String dialect) {
        perDialect(slowConsumers, "parley.slow.consumers.closed",
                "Connections closed because their outbound buffer was full", dialect).increment();
    }

    /** A connection closed by the server for a protocol reason (close code). */
    public void protocolClose(int closeCode) {
        protocolCloses.computeIfAbsent(Integer.toString(closeCode), k -> Counter.builder("parley.protocol.closes")
                .description("Connections closed by the server, by close code").tag("code", k)
                .register(registry)).increment();
    }

    /**
     * A request, connection or message refused by a configured limit ({@code message_rate},
     * {@code connections_per_user}, {@code connections_per_address}, {@code chats_per_user},
     * {@code handshake_timeout}, {@code idle_timeout}).
     */
    public void limitRejected(String limit) {
        limitRejections.computeIfAbsent(limit, k -> Counter.builder("parley.limit.rejections")
                .description("Requests or connections refused by a limit, by limit").tag("limit", k)
                .register(registry)).increment();
    }

    private AtomicInteger connectionGauge(String dialect) {
        return connections.computeIfAbsent(dialect, d -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("parley.connections", value, AtomicInteger::get)
                    .description("Open WebSocket connections by dialect").tag("dialect", d).register(registry);
            return value;
        });
    }

    private Counter perDialect(Map<String, Counter> counters, String name, String description, String dialect) {
        return counters.computeIfAbsent(dialect, d -> Counter.builder(name).description(description)
                .tag("dialect", d).register(registry));
    }
}
