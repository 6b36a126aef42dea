package io.parley.gateway.dialect.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.connection.HandshakeComplete;
import io.parley.gateway.session.Session;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.TestThreadExecutor;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.feed.FeedCodec;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.gateway.dialect.feed.FeedEndpoint.HISTORY_HANDLER;
import static io.parley.gateway.support.EmbeddedChannels.awaitOutbound;
import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static io.parley.gateway.support.EmbeddedChannels.pushShared;
import static io.parley.gateway.support.EmbeddedChannels.tracked;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code feed} socket's first frame: on {@link HandshakeComplete} the handler loads the
 * chat's recent history through the real chat core (embedded store) and writes it as update 0
 * through the socket's {@link FeedFrameWriter}. It runs on a {@link TestThreadExecutor}, so the
 * test can hold the history's answer while other frames arrive. The session is not registered
 * for delivery: the pushes a test needs are written by the test itself, on its own thread.
 */
@ExtendWith(LeakDetectionExtension.class)
class FeedHistoryHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger USERS = new AtomicInteger();

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    private final ChatCore.Wiring wiring = core.wire();

    private final FeedCodec codec = new FeedCodec();
    private final TestThreadExecutor loop = new TestThreadExecutor();
    private Principal user;
    private String chatId;
    private final List<Object> passedOn = new ArrayList<>();

    @BeforeEach
    void setUp() {
        int n = USERS.incrementAndGet();
        user = new Principal("feed-user-" + n, false);
        chatId = wiring.createChat(user, ChatKind.GROUP, "agent-" + n);
    }

    private Message send(String text) {
        Reply reply = wiring.chat().execute(user, 0, new Command.SendMessage(chatId, null, text, ContentType.TEXT, null)).join();
        return ((Reply.MessageReply) reply).message();
    }

    private final class Socket {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final Session session;
        final FeedFrameWriter writer;

        Socket(String boundChatId) {
            session = new Session(user, codec, channel, new SocketScope(boundChatId, null), FeedFrameWriter::new);
            writer = (FeedFrameWriter) session.writer();
            channel.pipeline().addLast(loop, HISTORY_HANDLER, new FeedHistoryHandler(session, wiring.chat(), writer, null));
            channel.pipeline().addLast("after", new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    passedOn.add(evt);
                }
            });
        }

        /** As ConnectionPipeline.activate does once the 101 is written. */
        HandshakeComplete goLive() {
            HandshakeComplete live = new HandshakeComplete(session);
            channel.pipeline().fireUserEventTriggered(live);
            return live;
        }

        JsonNode next() {
            return json(awaitOutbound(channel, TIMEOUT, loop));
        }

        /** A push as LocalDelivery writes it; returns the shared buffer to check its release. */
        ByteBuf push(Message message) {
            ChatEvent event = new ChatEvent.MessagePosted(message);
            ByteBuf shared = tracked(codec.encodeEvent(event));
            pushShared(session.writer(), shared, event);
            shared.release();
            return shared;
        }

        List<String> handlerNames() {
            return List.copyOf(channel.pipeline().names());
        }
    }

    private static List<String> texts(JsonNode update) {
        List<String> texts = new ArrayList<>();
        update.path("message").forEach(item -> texts.add(item.path("text").asText()));
        return texts;
    }

    @Test
    void theHistoryIsUpdate0AndTheHandlerRemovesItselfAndPassesTheEventOn() {
        Message first = send("hello");
        Message second = send("anyone there?");
        Socket socket = new Socket(chatId);

        HandshakeComplete live = socket.goLive();

        assertThat(socket.handlerNames()).doesNotContain(HISTORY_HANDLER);
        assertThat(passedOn).containsExactly(live);
        JsonNode update = socket.next();
        assertThat(update.path("type").asText()).isEqualTo("update");
        assertThat(update.path("socket_sequence").asLong()).isZero();
        assertThat(update.path("eventId").asLong()).isEqualTo(second.id());
        assertThat(texts(update)).containsExactly("hello", "anyone there?");
        JsonNode item = update.at("/message/0");
        assertThat(item.path("type").asText()).isEqualTo("message");
        assertThat(item.path("sender").asText()).isEqualTo(user.userId());
        assertThat(item.path("send_date").asLong()).isEqualTo(first.createdAt().getEpochSecond());
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void theHistoryHoldsTheNewest50OldestFirst() {
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= FeedHistoryHandler.HISTORY_SIZE + 5; i++) {
            sent.add(send("m" + i).content());
        }
        Socket socket = new Socket(chatId);

        socket.goLive();

        assertThat(texts(socket.next())).containsExactlyElementsOf(sent.subList(5, sent.size()));
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void anEmptyChatGivesAnEmptyUpdateWithEventId0() {
        Socket socket = new Socket(chatId);

        socket.goLive();

        JsonNode update = socket.next();
        assertThat(update.path("eventId").asLong()).isZero();
        assertThat(update.path("message").isArray()).isTrue();
        assertThat(update.path("message")).isEmpty();
        assertThat(update.path("socket_sequence").asLong()).isZero();
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void nothingHappensBeforeHandshakeComplete() {
        send("hello");
        Socket socket = new Socket(chatId);

        socket.channel.pipeline().fireUserEventTriggered("some other event");

        assertThat(passedOn).containsExactly("some other event");
        assertThat(socket.handlerNames()).contains(HISTORY_HANDLER);
        assertThat(loop.runPending()).isZero();
        assertThat(outbound(socket.channel)).isEmpty();
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void framesArrivingWhileTheHistoryLoadsFollowItAndMessagesItHoldsAreNotRepeated() {
        Message old = send("already there");
        Socket socket = new Socket(chatId);
        socket.goLive();
        assertThat(loop.awaitPending(1, TIMEOUT)).as("the history was read; its answer waits").isTrue();

        // Committed before the read, pushed after it: the history has it.
        ByteBuf repeated = socket.push(old);
        // Committed after the read: it must follow the history.
        Message fresh = send("new since");
        ByteBuf followed = socket.push(fresh);
        socket.session.send(FeedCodec.heartbeat());
        assertThat(outbound(socket.channel)).as("held until the history").isEmpty();

        JsonNode history = socket.next();
        JsonNode update = socket.next();
        JsonNode heartbeat = socket.next();

        assertThat(history.path("socket_sequence").asLong()).isZero();
        assertThat(texts(history)).containsExactly("already there");
        assertThat(update.path("socket_sequence").asLong()).isEqualTo(1);
        assertThat(update.path("eventId").asLong()).isEqualTo(fresh.id());
        assertThat(texts(update)).containsExactly("new since");
        assertThat(heartbeat.path("type").asText()).isEqualTo("heartbeat");
        assertThat(heartbeat.path("socket_sequence").asLong()).isEqualTo(2);
        assertThat(repeated.refCnt()).isZero();
        assertThat(followed.refCnt()).isZero();
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void aHistoryThatCannotBeLoadedIsAnErrorFrame0AndTheSocketCarriesOn() {
        Socket socket = new Socket("no-such-chat-" + USERS.incrementAndGet());
        socket.goLive();
        socket.session.send(FeedCodec.heartbeat());

        JsonNode error = socket.next();
        JsonNode heartbeat = socket.next();

        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("code").asInt()).isEqualTo(404);
        assertThat(error.path("socket_sequence").asLong()).isZero();
        assertThat(heartbeat.path("socket_sequence").asLong()).isEqualTo(1);
        assertThat(socket.channel.isOpen()).isTrue();
        assertThat(socket.channel.finish()).isFalse();
    }

    @Test
    void aSocketClosedBeforeTheHistoryArrivesGetsNothingAndHoldsNothing() {
        Message old = send("hello");
        Socket socket = new Socket(chatId);
        socket.goLive();
        ByteBuf held = socket.push(old);

        socket.channel.close();

        assertThat(held.refCnt()).isZero();
        assertThat(loop.awaitAndRun(TIMEOUT)).as("the history came back").isPositive();
        assertThat(outbound(socket.channel)).isEmpty();
        assertThat(socket.channel.finish()).isFalse();
    }
}
