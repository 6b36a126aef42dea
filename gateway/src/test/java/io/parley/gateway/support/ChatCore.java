package io.parley.gateway.support;

import com.auth0.jwt.algorithms.Algorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.LocalBus;
import io.parley.gateway.bus.LocalDelivery;
import io.parley.gateway.bus.SlowConsumerPolicy;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.connection.ConnectionPipeline;
import io.parley.gateway.core.ChatDirectory;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.auth.Revocations;
import io.parley.gateway.bus.ClusterNotices;
import io.parley.gateway.core.CoreContext;
import io.parley.gateway.session.UserCutOff;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.gateway.core.OutboxEvents;
import io.parley.gateway.core.MessageIds;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.PresenceAnnouncer;
import io.parley.gateway.presence.PresenceSnapshots;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.LocalLastSeen;
import io.parley.gateway.session.LocalOnlineUsers;
import io.parley.gateway.session.SessionRegistry;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.ChatKind;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.JdbcHistoryStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import io.parley.gateway.attachments.AttachmentFiles;
import io.parley.gateway.attachments.AttachmentOptions;
import io.parley.gateway.attachments.FileBlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;

/**
 * The real chat core for handler tests: an embedded (H2 file) history store behind a real
 * {@link HistoryService}. One per test class (the store takes a moment to migrate):
 * {@code @RegisterExtension static final ChatCore core = ChatCore.perClass();} opens it in a
 * temporary directory before the class's tests and closes and deletes it after them. Each test
 * then takes its own {@link #wire() Wiring}: fresh meters and session registry, and a
 * {@link ChatService} over the store wired to them through the real local bus.
 */
public final class ChatCore implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final int MAX_TEXT_LENGTH = 4_000;
    /** The session pipeline's limits as {@link Wiring#connectionPipeline()} sets them. */

    private HistoryService history;
    private Path dataDir;
    /** One id generator for every ChatService over this store: ids must not repeat. */
    private final MessageIds ids = new MessageIds(1, Clock.systemUTC());

    private ChatCore(HistoryService history, Path dataDir) {
        this.history = history;
        this.dataDir = dataDir;
    }

    /** A store in {@code dataDir}, open now; the caller closes it. */
    public static ChatCore open(Path dataDir) {
        return new ChatCore(openHistory(dataDir), dataDir);
    }

    /** A store for {@code @RegisterExtension}: opened before the class's tests, closed after them. */
    public static ChatCore perClass() {
        return new ChatCore(null, null);
    }

    private static HistoryService openHistory(Path dataDir) {
        return new HistoryService(JdbcHistoryStore.embedded(dataDir), HistoryOptions.defaults(), new SimpleMeterRegistry());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("parley-core-");
        history = openHistory(dataDir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    public HistoryService history() {
        return history;
    }

    /**
     * One test's chat core and presence as ParleyServer wires them over the local bus, with the
     * meters and session registry they report to.
     */
    public record Wiring(SimpleMeterRegistry registry, GatewayMetrics metrics, SessionRegistry sessions,
                         ChatService chat, PresenceAnnouncer presence, FlushBatch.PerLoop flushes, Path dataDir) {

        /**
         * The real connection pipeline over this wiring (default limits but 1000 messages/s),
         * without dialects: tests add the handlers of the phase they exercise.
         */
        public ConnectionPipeline connectionPipeline() {
            ParleyConfig config = ParleyConfig.builder().set(JWT_SECRET, TestNode.SECRET)
                    .set(MAX_MESSAGES_PER_SECOND, 1_000).set(MESSAGE_BURST, 1_000).build();
            return new ConnectionPipeline(config, null, new ConnectionLimits(16, 1_000, metrics),
                    metrics, new HttpRouter(Map.of(), uri -> false), List.of(),
                    new TokenVerifier(Algorithm.HMAC256(TestNode.SECRET), null, null, Duration.ZERO),
                    chat, sessions, presence, flushes, new AttachmentFiles(AttachmentOptions.from(config),
                            new FileBlobStore(dataDir.resolve("attachments")), chat.attachments(),
                            dataDir.resolve("uploads"), Clock.systemUTC(), registry));
        }

        /** Creates a chat through the chat core, as {@code POST /api/v1/chats} does; returns its id. */
        public String createChat(Principal creator, ChatKind kind, String... members) {
            Reply reply = chat.execute(creator, 0, new Command.CreateChat(kind, Set.of(members), null, null)).join();
            return ((Reply.ChatReply) reply).chat().id();
        }
    }

    /** A fresh wiring over this store: its own meters, session registry, bus and presence. */
    public Wiring wire() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        LocalLastSeen lastSeen = new LocalLastSeen(1_000, Clock.systemUTC(), registry);
        SessionRegistry sessions = new SessionRegistry(lastSeen);
        FlushBatch.PerLoop flushes = new FlushBatch.PerLoop();
        Bus bus = new LocalBus(new LocalDelivery(sessions, metrics, new SlowConsumerPolicy(metrics), flushes));
        CoreContext context = new CoreContext(history, new ChatDirectory(history, 1_000), ids, bus,
                Clock.systemUTC(), MAX_TEXT_LENGTH, 1_000, metrics, new LocalOnlineUsers(sessions), OutboxEvents.off());
        PresenceAnnouncer presence = new PresenceAnnouncer(sessions, history, bus, Clock.systemUTC(),
                new LocalOnlineUsers(sessions), Duration.ZERO);
        PresenceSnapshots snapshots = new PresenceSnapshots(history, new LocalOnlineUsers(sessions), lastSeen,
                Duration.ZERO, Clock.systemUTC(), metrics);
        return new Wiring(registry, metrics, sessions, new ChatService(context, presence, snapshots,
                new UserCutOff(sessions, new Revocations(Map.of()), CloseCodes.ACCESS_ENDED), ClusterNotices.NONE), presence, flushes, dataDir);
    }

    @Override
    public void close() {
        history.close();
    }
}
