package io.parley.gateway.connection;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.session.Session;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestThreadExecutor;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.events.EventsCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.parley.gateway.support.EmbeddedChannels.awaitOutbound;
import static io.parley.gateway.support.EmbeddedChannels.count;
import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Text frame -> events codec -> real chat core (embedded history store) -> reply on the
 * connection's executor. The handler runs on a {@link TestThreadExecutor} so that replies coming
 * back from storage threads queue safely and the test decides when they are delivered.
 */
@ExtendWith(LeakDetectionExtension.class)
class ChatFrameHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicLong APPLICATIONS = new AtomicLong(100);

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    private final ChatCore.Wiring wiring = core.wire();
    private final ConnectionPipeline lifecycle = wiring.connectionPipeline();
    private TestThreadExecutor loop;
    private EmbeddedChannel channel;
    private Session session;
    private final List<Object> passedOn = new ArrayList<>();

    @BeforeEach
    void setUp() {
        loop = new TestThreadExecutor();
        channel = new EmbeddedChannel();
        session = new Session(new Principal("1", false), new EventsCodec(), channel);
        channel.pipeline().addLast(loop, "chat", new ChatFrameHandler(session, wiring.chat(),
                new SessionTokens(new TokenVerifier(Algorithm.HMAC256(TestNode.SECRET), null, null, Duration.ZERO), Duration.ZERO), lifecycle, wiring.metrics(), 1_000, 1_000));
        channel.pipeline().addLast("after-chat", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                passedOn.add(evt);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                passedOn.add("inactive");
            }
        });
    }

    /** Writes one request frame; nothing may travel past the handler, and the frame must be released. */
    private void send(String text) {
        TextWebSocketFrame frame = textFrame(text);
        assertThat(channel.writeInbound(frame)).as("frames end at the chat handler").isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    private JsonNode exchange(String text) {
        send(text);
        return json(awaitOutbound(channel, TIMEOUT, loop));
    }

    private long newConversation() {
        long app = APPLICATIONS.incrementAndGet();
        JsonNode added = exchange("{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":1,\"application_id\":" + app + "}}");
        assertThat(added.path("ok").asBoolean()).as("%s", added).isTrue();
        return app;
    }

    // ---- replies ----------------------------------------------------------------------------------

    @Test
    void requestIsRunByTheChatCoreAndAnsweredInTheSameDialect() {
        long app = APPLICATIONS.incrementAndGet();

        JsonNode reply = exchange("{\"name\":\"Event.AddConversation\",\"id\":\"c1\",\"args\":{\"user_id\":1,\"application_id\":" + app + "}}");

        assertThat(reply.path("name").asText()).isEqualTo("Event.AddConversation");
        assertThat(reply.path("id").asText()).isEqualTo("c1");
        assertThat(reply.path("ok").asBoolean()).isTrue();
        assertThat(reply.at("/result/session_channel").asText()).isEqualTo(Long.toString(app));
        assertThat(count(wiring.registry(), "parley.frames.in", "dialect", "events")).isEqualTo(1);
        assertThat(count(wiring.registry(), "parley.frames.out", "dialect", "events")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sentMessageIsCommittedAndAcknowledged() {
        long app = newConversation();

        JsonNode reply = exchange("{\"name\":\"Event.SendMessage\",\"id\":7,\"args\":{\"session_channel\":\"" + app
                + "\",\"sender_id\":1,\"content\":\"Hey\"}}");

        assertThat(reply.path("ok").asBoolean()).as("%s", reply).isTrue();
        assertThat(reply.path("id").asInt()).isEqualTo(7);
        assertThat(reply.at("/result/message/content").asText()).isEqualTo("Hey");
        assertThat(reply.at("/result/message/session_channel").asText()).isEqualTo(Long.toString(app));
        assertThat(count(wiring.registry(), "parley.messages.in")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    // ---- invalid requests -------------------------------------------------------------------------

    @Test
    void malformedJsonIsAnsweredWithA400ErrorFrameAtOnceAndTheSocketStaysOpen() {
        send("{\"name\":");

        JsonNode error = json(channel.readOutbound()); // synchronously: no chat core involved
        assertThat(error.path("name").asText()).isEqualTo("Event.Error");
        assertThat(error.path("ok").asBoolean()).isFalse();
        assertThat(error.at("/error/code").asInt()).isEqualTo(400);
        assertThat(error.at("/error/message").asText()).contains("malformed JSON");
        assertThat(channel.isOpen()).isTrue();
        assertThat(count(wiring.registry(), "parley.errors", "code", "400")).isEqualTo(1);
        assertThat(loop.pending()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownEventIsAnsweredWith400() {
        send("{\"name\":\"Event.LaunchRocket\",\"id\":\"x\",\"args\":{}}");

        JsonNode error = json(channel.readOutbound());
        assertThat(error.path("ok").asBoolean()).isFalse();
        assertThat(error.path("id").asText()).isEqualTo("x");
        assertThat(error.at("/error/code").asInt()).isEqualTo(400);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void actingAsAnotherUserIsAnswered403() {
        JsonNode error = exchange("{\"name\":\"Event.GetConversationList\",\"args\":{\"user_id\":2}}");

        assertThat(error.path("name").asText()).isEqualTo("Event.GetConversationList");
        assertThat(error.path("ok").asBoolean()).isFalse();
        assertThat(error.at("/error/code").asInt()).isEqualTo(403);
        assertThat(count(wiring.registry(), "parley.errors", "code", "403")).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownConversationIsAnswered404() {
        JsonNode error = exchange("{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"987654321\",\"executor_id\":1}}");

        assertThat(error.path("ok").asBoolean()).isFalse();
        assertThat(error.at("/error/code").asInt()).isEqualTo(404);
        assertThat(count(wiring.registry(), "parley.errors", "code", "404")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void overlongMessageIsAnswered413() {
        long app = newConversation();
        String content = "x".repeat(ChatCore.MAX_TEXT_LENGTH + 1);

        JsonNode error = exchange("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + app
                + "\",\"sender_id\":1,\"content\":\"" + content + "\"}}");

        assertThat(error.at("/error/code").asInt()).isEqualTo(413);
        assertThat(count(wiring.registry(), "parley.messages.in")).isZero();
        assertThat(channel.finish()).isFalse();
    }

    // ---- per-socket FIFO ---------------------------------------------------------------------------

    @Test
    void sendsPipelinedOnOneConnectionAreCommittedAndAcknowledgedInTheOrderReceived() {
        // The first send replies to a message, which the core checks in the store while every
        // read thread is busy; the sends behind it need no store read (the chat is cached) and
        // must not overtake it.
        long app = newConversation();
        JsonNode earlier = exchange("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + app
                + "\",\"sender_id\":1,\"content\":\"earlier\"}}");
        long earlierId = earlier.at("/result/message/id").asLong();
        java.util.concurrent.CountDownLatch readsHeld = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < core.history().options().readThreads(); i++) {
            core.history().call("held", store -> {
                try {
                    return readsHeld.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        }
        int sends = 30;
        for (int i = 0; i < sends; i++) {
            String replyTo = i == 0 ? ",\"reply_to\":" + earlierId : "";
            send("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + app
                    + "\",\"sender_id\":1,\"content\":\"m" + i + "\"" + replyTo + "}}");
        }
        readsHeld.countDown();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < sends; i++) {
            JsonNode ack = json(awaitOutbound(channel, TIMEOUT, loop));
            assertThat(ack.path("ok").asBoolean()).as("%s", ack).isTrue();
            acknowledged.add(ack.at("/result/message/content").asText());
        }
        List<String> expected = java.util.stream.IntStream.range(0, sends).mapToObj(i -> "m" + i).toList();
        assertThat(acknowledged).containsExactlyElementsOf(expected);
        Reply page = wiring.chat().execute(new Principal("1", false), 0,
                new Command.GetHistory(Long.toString(app), "1", null, 200, null)).join();
        assertThat(((Reply.HistoryPage) page).messages()).extracting(m -> m.content())
                .containsExactlyElementsOf(java.util.stream.Stream.concat(java.util.stream.Stream.of("earlier"),
                        expected.stream()).toList());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sendsToAChatThisNodeHasNotCachedAreCommittedInTheOrderReceived() {
        // Opened through another chat core (another node): the first send here misses the chat
        // cache and waits for a store read, which the sends behind it must not overtake.
        long app = APPLICATIONS.incrementAndGet();
        core.wire().chat().execute(new Principal("1", false), 0, new Command.OpenSupportChat("1", app)).join();
        int sends = 30;
        for (int i = 0; i < sends; i++) {
            send("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + app
                    + "\",\"sender_id\":1,\"content\":\"m" + i + "\"}}");
        }
        for (int i = 0; i < sends; i++) {
            assertThat(json(awaitOutbound(channel, TIMEOUT, loop)).path("ok").asBoolean()).isTrue();
        }
        Reply page = wiring.chat().execute(new Principal("1", false), 0,
                new Command.GetHistory(Long.toString(app), "1", null, 200, null)).join();
        assertThat(((Reply.HistoryPage) page).messages()).extracting(m -> m.content())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, sends).mapToObj(i -> "m" + i).toList());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aReadAfterASendOnTheSameConnectionSeesTheSend() {
        long app = newConversation();
        send("{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + app
                + "\",\"sender_id\":1,\"content\":\"first\"}}");
        send("{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"" + app + "\",\"executor_id\":1}}");

        JsonNode ack = json(awaitOutbound(channel, TIMEOUT, loop));
        JsonNode page = json(awaitOutbound(channel, TIMEOUT, loop));
        assertThat(ack.path("name").asText()).isEqualTo("Event.SendMessage");
        assertThat(page.at("/result/Messages/0/content").asText()).isEqualTo("first");
        assertThat(channel.finish()).isFalse();
    }

    // ---- the in-flight bound ----------------------------------------------------------------------

    @Test
    void requestsBeyondMaxInFlightAreAnswered429AtOnceAndTheLimitFreesAsRepliesGoOut() {
        for (int i = 0; i < ChatFrameHandler.MAX_IN_FLIGHT; i++) {
            send("{\"name\":\"Event.GetConversationList\",\"id\":" + i + ",\"args\":{\"user_id\":1}}");
        }
        assertThat((Object) channel.readOutbound()).as("no reply delivered yet").isNull();

        send("{\"name\":\"Event.GetConversationList\",\"id\":\"over\",\"args\":{\"user_id\":1}}");

        JsonNode rejected = json(channel.readOutbound());
        assertThat(rejected.path("id").asText()).isEqualTo("over");
        assertThat(rejected.path("name").asText()).isEqualTo("Event.GetConversationList");
        assertThat(rejected.at("/error/code").asInt()).isEqualTo(429);
        assertThat(rejected.at("/error/message").asText()).contains(Integer.toString(ChatFrameHandler.MAX_IN_FLIGHT));
        assertThat(count(wiring.registry(), "parley.errors", "code", "429")).isEqualTo(1);

        Set<Integer> answered = new HashSet<>();
        while (answered.size() < ChatFrameHandler.MAX_IN_FLIGHT) {
            JsonNode reply = json(awaitOutbound(channel, TIMEOUT, loop));
            assertThat(reply.path("ok").asBoolean()).as("%s", reply).isTrue();
            assertThat(answered.add(reply.path("id").asInt())).isTrue();
        }

        JsonNode again = exchange("{\"name\":\"Event.GetConversationList\",\"id\":\"again\",\"args\":{\"user_id\":1}}");
        assertThat(again.path("ok").asBoolean()).as("the limit freed as replies went out").isTrue();
        assertThat(count(wiring.registry(), "parley.errors", "code", "429")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void replyArrivingAfterTheConnectionClosedIsDropped() {
        send("{\"name\":\"Event.GetConversationList\",\"args\":{\"user_id\":1}}");
        channel.close();

        assertThat(loop.awaitAndRun(TIMEOUT)).as("the reply came back").isPositive();

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(count(wiring.registry(), "parley.frames.out", "dialect", "events")).isZero();
        assertThat(channel.finish()).isFalse();
    }

    // ---- session lifecycle ------------------------------------------------------------------------

    @Test
    void closeAfterHandshakeCompleteUnregistersTheSessionAndCountsTheConnectionClosed() {
        lifecycle.activate(session); // as the handshake does: registers, counts, fires HandshakeComplete

        assertThat(passedOn).singleElement().isInstanceOf(HandshakeComplete.class);
        Object complete = passedOn.get(0);
        assertThat(wiring.sessions().isOnline("1")).isTrue();
        assertThat(connections()).isEqualTo(1);

        channel.close();

        assertThat(wiring.sessions().isOnline("1")).isFalse();
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(connections()).isZero();
        assertThat(passedOn).containsExactly(complete, "inactive");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closeBeforeHandshakeCompleteLeavesRegistryAndGaugeAlone() {
        wiring.sessions().add(session);
        wiring.metrics().connectionOpened(session.dialect());

        channel.close();

        assertThat(wiring.sessions().isOnline("1")).isTrue();
        assertThat(connections()).isEqualTo(1);
        assertThat(passedOn).containsExactly("inactive");
        wiring.sessions().remove(session);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unexpectedExceptionClosesTheConnectionWithoutEscaping() {
        channel.pipeline().fireExceptionCaught(new IllegalStateException("test: unexpected failure"));

        assertThat(channel.isOpen()).isFalse();
        channel.checkException(); // nothing reached the end of the pipeline
        assertThat(channel.finish()).isFalse();
    }

    private double connections() {
        Gauge gauge = wiring.registry().find("parley.connections").tag("dialect", "events").gauge();
        return gauge == null ? 0 : gauge.value();
    }
}
