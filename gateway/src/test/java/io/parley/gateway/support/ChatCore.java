package io.parley.gateway.support;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.bus.LocalBus;
import io.parley.gateway.bus.LocalDelivery;
import io.parley.gateway.bus.SlowConsumerPolicy;
import io.parley.gateway.core.ChatDirectory;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.CoreContext;
import io.parley.gateway.presence.Presence;
import io.parley.gateway.core.MessageIds;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.SessionRegistry;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.JdbcHistoryStore;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The real chat core for handler tests: an embedded (H2 file) history store in a temporary
 * directory behind a real {@link HistoryService}. Open one per test class (the store takes a
 * moment to migrate); make a {@link ChatService} per test, wired to that test's session registry
 * and metrics through the real local bus.
 */
public final class ChatCore implements AutoCloseable {
    public static final int MAX_TEXT_LENGTH = 4_000;

    private final HistoryService history;
    /** One id generator for every ChatService over this store: ids must not repeat. */
    private final MessageIds ids = new MessageIds(1, Clock.systemUTC());

    private ChatCore(HistoryService history) {
        this.history = history;
    }

    public static ChatCore open(Path dataDir) {
        return new ChatCore(new HistoryService(JdbcHistoryStore.embedded(dataDir), HistoryOptions.defaults(),
                new SimpleMeterRegistry()));
    }

    public HistoryService history() {
        return history;
    }

    /** The chat core and presence as ParleyServer wires them, over the local bus. */
    public record Wiring(ChatService chat, Presence presence) {
    }

    public Wiring wire(SessionRegistry sessions, GatewayMetrics metrics) {
        Bus bus = new LocalBus(new LocalDelivery(sessions, metrics, new SlowConsumerPolicy(metrics)));
        CoreContext context = new CoreContext(history, new ChatDirectory(history, 1_000), ids, bus,
                Clock.systemUTC(), MAX_TEXT_LENGTH, 1_000, metrics);
        Presence presence = new Presence(sessions, history, bus, Clock.systemUTC());
        return new Wiring(new ChatService(context, presence), presence);
    }

    public ChatService chatService(SessionRegistry sessions, GatewayMetrics metrics) {
        return wire(sessions, metrics).chat();
    }

    @Override
    public void close() {
        history.close();
    }
}
