package io.parley.gateway.bus;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.support.ChatCore;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sequencer over a real (embedded) history store: messages reach the delivery once each, in
 * sequence order, and a message this node committed goes out as its own copy, the one that
 * answers its sender, even when a history read gets ahead of it.
 */
class ChatSequencerTest {
    private static final Duration WINDOW = Duration.ofMillis(400);
    private static final Set<String> MEMBERS = Set.of("a", "b");
    private static final long ORIGIN = 42;

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();

    private final List<Envelope> delivered = Collections.synchronizedList(new ArrayList<>());
    /** Ids of the messages "this node" committed. */
    private final Set<Long> ownIds = Collections.synchronizedSet(new java.util.HashSet<>());
    private final ChatSequencer sequencer = new ChatSequencer(delivered::add, core.history(),
            ClusterOptions.builder("redis://127.0.0.1:6379", 1).reorderWindow(WINDOW).build(),
            new BusMetrics(new SimpleMeterRegistry()), ownIds::contains);

    @AfterEach
    void close() {
        sequencer.close();
    }

    @Test
    void anOwnMessageAHistoryReadMeetsBeforeItsPublicationGoesOutOnceAsTheCopyThatAnswersItsSender()
            throws Exception {
        String chatId = newChat();
        Message first = commit(chatId, "first", false);
        Message own = commit(chatId, "committed here, published late", true);
        Message other = commit(chatId, "from another node", false);

        sequencer.accept(new Envelope(new ChatEvent.MessagePosted(first), MEMBERS, 0));
        // The other node's message overtakes this node's own publication: the gap is read from
        // history after one window, and the read meets the own message first. Its publication
        // arrives half a window after that read.
        sequencer.accept(new Envelope(new ChatEvent.MessagePosted(other), MEMBERS, 0));
        Thread.sleep(WINDOW.toMillis() * 3 / 2);
        Envelope published = new Envelope(new ChatEvent.MessagePosted(own), MEMBERS, ORIGIN, () -> { });
        sequencer.accept(published);

        awaitDelivered(3);
        Thread.sleep(WINDOW.toMillis() * 2); // a history copy, were one still coming, would come by now
        assertThat(delivered).extracting(e -> ((ChatEvent.MessagePosted) e.event()).message().seq())
                .containsExactly(1L, 2L, 3L);
        assertThat(delivered.get(1)).as("the copy that skips and answers its sender").isSameAs(published);
    }

    @Test
    void anOwnMessageWhoseCopyNeverComesIsDeliveredFromHistoryAfterOneMoreWindow() throws Exception {
        String chatId = newChat();
        Message first = commit(chatId, "first", false);
        commit(chatId, "committed here, never published (answered 503)", true);
        Message other = commit(chatId, "from another node", false);

        sequencer.accept(new Envelope(new ChatEvent.MessagePosted(first), MEMBERS, 0));
        sequencer.accept(new Envelope(new ChatEvent.MessagePosted(other), MEMBERS, 0));

        awaitDelivered(3);
        assertThat(delivered).extracting(e -> ((ChatEvent.MessagePosted) e.event()).message().seq())
                .containsExactly(1L, 2L, 3L);
        assertThat(delivered.get(1).originSessionId()).isZero();
    }

    private String newChat() {
        String id = UUID.randomUUID().toString();
        core.history().call("create", store -> store.createChatIfAbsent(new NewChat(id, ChatKind.GROUP, "a", null,
                null, MEMBERS, Instant.now().truncatedTo(ChronoUnit.MICROS)))).join();
        return id;
    }

    private Message commit(String chatId, String text, boolean here) throws Exception {
        long id = System.nanoTime() & 0x1F_FFFF_FFFF_FFFFL;
        if (here) {
            ownIds.add(id);
        }
        return core.history().append(new NewMessage(id, chatId, "a", text, ContentType.TEXT, null,
                Instant.now().truncatedTo(ChronoUnit.MICROS))).get(10, TimeUnit.SECONDS);
    }

    private void awaitDelivered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
