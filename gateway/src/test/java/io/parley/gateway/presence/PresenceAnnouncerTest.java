package io.parley.gateway.presence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.Envelope;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.LocalOnlineUsers;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.typed.TypedCodec;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;
import io.parley.storage.JdbcHistoryStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PresenceAnnouncer over the real history service on an embedded store, with one read thread so that
 * the contact queries (and the announcements after them) run in the order of the changes. A gate
 * in front of {@code contactsOf} holds the queries, as a slow database would; what PresenceAnnouncer
 * publishes is recorded by the bus.
 */
@ExtendWith(LeakDetectionExtension.class)
class PresenceAnnouncerTest {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    static Path dataDir;
    private static JdbcHistoryStore store;
    private static HistoryService history;
    private static final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    private static final AtomicInteger contactQueries = new AtomicInteger();

    private final LinkedBlockingQueue<Envelope> published = new LinkedBlockingQueue<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private SessionRegistry sessions;
    private PresenceAnnouncer presence;
    private String alice;
    private String bob;
    private String carol;

    @BeforeAll
    static void openHistory() {
        store = JdbcHistoryStore.embedded(dataDir);
        HistoryStore gated = (HistoryStore) Proxy.newProxyInstance(HistoryStore.class.getClassLoader(),
                new Class<?>[]{HistoryStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("contactsOf")) {
                        contactQueries.incrementAndGet();
                        assertThat(gate.get().await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        history = new HistoryService(gated, HistoryOptions.builder().readThreads(1).build(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void closeHistory() {
        history.close();
    }

    @BeforeEach
    void setUp() {
        sessions = new SessionRegistry();
        Bus bus = new Bus() {
            @Override
            public void publish(Envelope envelope) {
                published.add(envelope);
            }

            @Override
            public void close() {
            }
        };
        presence = new PresenceAnnouncer(sessions, history, bus, Clock.systemUTC(), new LocalOnlineUsers(sessions),
                Duration.ZERO);
        alice = "alice-" + UUID.randomUUID();
        bob = "bob-" + UUID.randomUUID();
        carol = "carol-" + UUID.randomUUID();
        group(alice, bob);
        group(alice, bob, carol);
        group("dave-" + UUID.randomUUID(), "erin-" + UUID.randomUUID());
        gate.set(new CountDownLatch(0));
    }

    @AfterEach
    void finishChannels() {
        gate.get().countDown();
        for (EmbeddedChannel channel : channels) {
            assertThat(channel.finish()).isFalse();
        }
    }

    private void group(String... members) {
        NewChat chat = new NewChat(UUID.randomUUID().toString(), ChatKind.GROUP, members[0], null, null,
                Set.of(members), Instant.now());
        history.call("create_chat", s -> s.createChatIfAbsent(chat)).join();
    }

    /** A connection of the user opens: registered, then presence told (as ConnectionPipeline.activate does). */
    private Session connect(String userId) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channels.add(channel);
        Session session = new Session(new Principal(userId, false), new TypedCodec(), channel);
        presence.connected(session, sessions.add(session));
        return session;
    }

    private void disconnect(Session session) {
        presence.disconnected(session, sessions.remove(session));
    }

    /**
     * Returns once every query queued so far has been answered and its announcement decided: the
     * one read thread runs calls in order, completing each (and running its callbacks) before
     * the next.
     */
    private static void afterEveryQueuedQuery() {
        history.call("marker", s -> null).join();
    }

    private ChatEvent.PresenceChanged nextAnnouncement(Set<String> expectedRecipients) throws InterruptedException {
        Envelope envelope = published.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(envelope).as("an announcement").isNotNull();
        assertThat(envelope.recipients()).isEqualTo(expectedRecipients);
        assertThat(envelope.originSessionId()).isZero();
        assertThat(envelope.event()).isInstanceOf(ChatEvent.PresenceChanged.class);
        return (ChatEvent.PresenceChanged) envelope.event();
    }

    @Test
    void theUsersContactsAreToldOnceWhenTheUserComesOnlineAndOnceWhenTheUserGoesOffline() throws Exception {
        int before = contactQueries.get();
        Session phone = connect(alice);

        ChatEvent.PresenceChanged online = nextAnnouncement(Set.of(bob, carol));
        assertThat(online.userId()).isEqualTo(alice);
        assertThat(online.online()).isTrue();
        assertThat(presence.isOnline(alice)).isTrue();

        Session laptop = connect(alice);
        disconnect(phone);
        assertThat(presence.isOnline(alice)).as("still one connection").isTrue();
        disconnect(laptop);

        ChatEvent.PresenceChanged offline = nextAnnouncement(Set.of(bob, carol));
        assertThat(offline.online()).isFalse();
        assertThat(presence.isOnline(alice)).isFalse();
        assertThat(contactQueries.get() - before).as("one query per change, none for the connections between")
                .isEqualTo(2);
        assertThat(published).isEmpty();
    }

    @Test
    void aConnectionUndoneBeforeItWasAnnouncedIsNotAnnouncedAtAll() throws Exception {
        gate.set(new CountDownLatch(1)); // the contact queries wait, as on a slow database
        int before = contactQueries.get();
        disconnect(connect(alice));
        Session back = connect(alice);
        disconnect(back);
        connect(alice); // finally online

        gate.get().countDown();

        // One read thread: the five answers come in order, each announcing only a change from
        // what was announced last. The first answer already sees the final state.
        ChatEvent.PresenceChanged announced = nextAnnouncement(Set.of(bob, carol));
        assertThat(announced.online()).isTrue();
        afterEveryQueuedQuery();
        assertThat(contactQueries.get() - before).as("each change looked its contacts up").isEqualTo(5);
        assertThat(published).as("the other four answers announced nothing").isEmpty();

        disconnect(sessions.all().get(0));
        assertThat(nextAnnouncement(Set.of(bob, carol)).online()).as("the next change").isFalse();
        afterEveryQueuedQuery();
        assertThat(published).isEmpty();
    }

    @Test
    void aConnectAndDisconnectBothAnsweredLateAnnounceNothing() throws Exception {
        gate.set(new CountDownLatch(1));
        disconnect(connect(alice));
        gate.get().countDown();

        // A later change is answered after both: it is the first thing published.
        connect(bob);
        ChatEvent.PresenceChanged first = nextAnnouncement(Set.of(alice, carol));
        assertThat(first.userId()).isEqualTo(bob);
        assertThat(first.online()).isTrue();
        assertThat(published).isEmpty();
    }

    @Test
    void hidingTheOnlyVisibleConnectionIsGoingOffline() throws Exception {
        Session session = connect(carol);
        assertThat(nextAnnouncement(Set.of(alice, bob)).online()).isTrue();

        presence.setVisible(session.userId(), session.id(), false);
        assertThat(nextAnnouncement(Set.of(alice, bob)).online()).isFalse();

        presence.setVisible(session.userId(), session.id(), true);
        assertThat(nextAnnouncement(Set.of(alice, bob)).online()).isTrue();
        disconnect(session);
        assertThat(nextAnnouncement(Set.of(alice, bob)).online()).isFalse();
    }

    @Test
    void aUserWithoutContactsAnnouncesNothing() throws Exception {
        String loner = "loner-" + UUID.randomUUID();
        group(loner);
        disconnect(connect(loner));

        // Answered in order on the one read thread: once bob's announcement is out, the loner's are done.
        connect(bob);
        assertThat(nextAnnouncement(Set.of(alice, carol)).userId()).isEqualTo(bob);
        assertThat(published).isEmpty();
    }
}
