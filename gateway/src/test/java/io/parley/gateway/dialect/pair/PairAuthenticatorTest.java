package io.parley.gateway.dialect.pair;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.LoopBoundLifecycle;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestThreadExecutor;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.pair.PairCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.gateway.connection.PipelineNames.CHAT;
import static io.parley.gateway.connection.PipelineNames.FRAME_AUTH;
import static io.parley.gateway.support.EmbeddedChannels.awaitOutbound;
import static io.parley.gateway.support.EmbeddedChannels.count;
import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static io.parley.gateway.support.EmbeddedChannels.tracked;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dialect {@code pair} authenticates in frames: the {@link PairAuthenticator} as the handshake
 * installs it ({@link PairEndpoint#frameAuthenticator}), over the real token verifier, the real
 * session lifecycle (ConnectionPipeline) and the real chat core on an embedded store. The
 * authenticator and the chat handler it installs run on a {@link TestThreadExecutor}: answers
 * from storage threads queue there and the test decides when they run (and when the deadline
 * passes).
 */
@ExtendWith(LeakDetectionExtension.class)
class PairAuthenticatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HELLO_DEADLINE = Duration.ofSeconds(10);
    private static final AtomicInteger USERS = new AtomicInteger();

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    private final ChatCore.Wiring wiring = core.wire();

    private final TestThreadExecutor loop = new TestThreadExecutor();
    private final LoopBoundLifecycle lifecycle = new LoopBoundLifecycle(wiring.connectionPipeline(), loop, CHAT);
    private PairEndpoint endpoint;
    private String owner;
    private String sitter;
    private String chatId;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        TokenVerifier tokens = new TokenVerifier(Algorithm.HMAC256(TestNode.SECRET), null, null, Duration.ZERO);
        endpoint = new PairEndpoint(new PairCodec(), tokens, wiring.chat(), HELLO_DEADLINE, wiring.metrics());
        int n = USERS.incrementAndGet();
        owner = "owner-" + n;
        sitter = "sitter-" + n;
        chatId = wiring.createChat(new Principal(owner, false), ChatKind.BOOKING, sitter);
        channel = open(chatId);
    }

    /** A socket on {@code /chat/{chatId}} just after the 101: only the authenticator, as the handshake leaves it. */
    private EmbeddedChannel open(String chatId) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(loop, FRAME_AUTH,
                endpoint.frameAuthenticator(new QueryStringDecoder("/chat/" + chatId), lifecycle));
        return ch;
    }

    /** Sends a client frame; nothing may travel past the session's handlers. */
    private TextWebSocketFrame send(String text) {
        TextWebSocketFrame frame = textFrame(text);
        assertThat(channel.writeInbound(frame)).as("frames end at the authenticator or the chat handler").isFalse();
        return frame;
    }

    private static String hello(String userId) {
        return "{\"sessionId\":\"" + TestNode.token(userId) + "\"}";
    }

    private static String message(String userId, String text) {
        return "{\"sessionId\":\"" + TestNode.token(userId) + "\",\"message\":\"" + text
                + "\",\"timestamp\":\"2024-11-18T14:25:00Z\"}";
    }

    /** The next frame written to the socket, waiting for answers from storage threads. */
    private JsonNode next() {
        return json(awaitOutbound(channel, TIMEOUT, loop));
    }

    /** The frame written at once (no storage involved). */
    private JsonNode immediate() {
        Object frame = channel.readOutbound();
        assertThat(frame).as("a frame written synchronously").isNotNull();
        return json(frame);
    }

    private void assertNothingWritten() {
        loop.runPending();
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    private List<String> handlerNames() {
        return List.copyOf(channel.pipeline().names());
    }

    private void assertUnauthenticated() {
        assertThat(handlerNames()).contains(FRAME_AUTH).doesNotContain(CHAT);
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    private static void assertErrorSchema(JsonNode frame, int code) {
        assertThat(frame.path("code").asInt()).as("%s", frame).isEqualTo(code);
        assertThat(frame.path("message").asText()).isNotBlank();
        assertThat(fieldNames(frame)).containsExactlyInAnyOrder("code", "message");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private double framesIn() {
        return count(wiring.registry(), "parley.frames.in", "dialect", "pair");
    }

    private double framesOut() {
        return count(wiring.registry(), "parley.frames.out", "dialect", "pair");
    }

    private List<Message> history() {
        Reply reply = wiring.chat().execute(new Principal(owner, false), 0,
                new Command.GetHistory(chatId, null, null, 50)).join();
        return ((Reply.HistoryPage) reply).messages();
    }

    // ---- a valid hello ----------------------------------------------------------------------------

    @Test
    void pureHelloIsAcknowledgedStartsTheSessionAndTheAuthenticatorRemovesItself() {
        TextWebSocketFrame hello = send(hello(owner));

        JsonNode ack = next();

        assertThat(ack.path("code").asInt()).isEqualTo(200);
        assertThat(ack.path("message").asText()).isEqualTo("authenticated");
        assertThat(hello.refCnt()).isZero();
        assertThat(handlerNames()).contains(CHAT).doesNotContain(FRAME_AUTH);
        assertThat(wiring.sessions().all()).singleElement().satisfies(session -> {
            assertThat(session.userId()).isEqualTo(owner);
            assertThat(session.scope().chatId()).isEqualTo(chatId);
            assertThat(session.channel()).isSameAs(channel);
        });
        assertThat(framesIn()).isEqualTo(1);
        assertThat(framesOut()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
        assertThat(wiring.sessions().all()).as("the close ended the session").isEmpty();
    }

    @Test
    void helloCarryingAMessageStartsTheSessionAndRunsTheMessage() {
        send(message(owner, "Вы заберете мою кошку?"));

        JsonNode delivery = next();

        assertThat(delivery.path("message").asText()).isEqualTo("Вы заберете мою кошку?");
        assertThat(delivery.path("senderId").asText()).isEqualTo(owner);
        assertThat(delivery.path("messageId").asLong()).isPositive();
        assertThat(fieldNames(delivery)).containsExactlyInAnyOrder("message", "timestamp", "senderId", "messageId");
        assertThat(history()).extracting(Message::content).containsExactly("Вы заберете мою кошку?");
        assertThat(handlerNames()).doesNotContain(FRAME_AUTH);
        assertThat(framesIn()).as("the hello counted once, though two handlers saw it").isEqualTo(1);
        assertThat(framesOut()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anotherUsersSessionIdIsARefusedRefresh() {
        send(hello(owner));
        next();

        send(message(sitter, "not mine")); // a valid token, but not this socket's user: nothing runs

        assertErrorSchema(next(), 403);
        assertThat(history()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    // ---- before a valid hello ---------------------------------------------------------------------

    @Test
    void beforeAValidHelloFramesAreAnswered401AndNothingIsDelivered() {
        TextWebSocketFrame anonymous = send("{\"message\":\"hi\",\"timestamp\":\"2024-11-18T14:25:00Z\"}");

        assertErrorSchema(immediate(), 401);
        assertThat(anonymous.refCnt()).isZero();
        assertUnauthenticated();

        // The other participant writes: this socket has no session, so it gets nothing.
        wiring.chat().execute(new Principal(sitter, false), 0,
                new Command.SendMessage(chatId, null, "before your hello", ContentType.TEXT, null)).join();
        assertNothingWritten();

        send(hello(owner));
        assertThat(next().path("code").asInt()).isEqualTo(200);

        // Now it does (handed to the event loop before the send completes).
        wiring.chat().execute(new Principal(sitter, false), 0,
                new Command.SendMessage(chatId, null, "after your hello", ContentType.TEXT, null)).join();
        channel.runPendingTasks();
        JsonNode delivery = json(channel.readOutbound());
        assertThat(delivery.path("message").asText()).isEqualTo("after your hello");
        assertThat(delivery.path("senderId").asText()).isEqualTo(sitter);
        assertThat(delivery.has("sessionId")).as("never a sessionId").isFalse();
        assertNothingWritten();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void badSessionIdsAreAnswered401InTheSeedsErrorSchema() {
        String forged = JWT.create().withSubject(owner).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256("another-secret-another-secret-another-secret"));
        String expired = JWT.create().withSubject(owner).withExpiresAt(Instant.now().minusSeconds(600))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        for (String sessionId : List.of("not-a-jwt", forged, expired)) {
            TextWebSocketFrame frame = send("{\"sessionId\":\"" + sessionId + "\",\"message\":\"hi\"}");

            JsonNode error = immediate();
            assertErrorSchema(error, 401);
            assertThat(error.path("message").asText()).startsWith("sessionId");
            assertThat(frame.refCnt()).isZero();
            assertUnauthenticated();
        }
        send("{\"sessionId\":\"\"}");
        assertErrorSchema(immediate(), 401);
        send("{\"sessionId\":");
        assertErrorSchema(immediate(), 400);
        assertUnauthenticated();
        assertThat(count(wiring.registry(), "parley.errors", "code", "401")).isEqualTo(4);
        assertThat(framesIn()).isEqualTo(5);
        assertThat(framesOut()).isEqualTo(5);

        send(hello(owner));
        assertThat(next().path("code").asInt()).as("a valid hello still works").isEqualTo(200);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aValidTokenOfSomeoneOutsideTheChatIs403AndAnUnknownChat404() {
        send(hello("outsider-" + USERS.incrementAndGet()));

        assertErrorSchema(next(), 403);
        assertUnauthenticated();

        EmbeddedChannel onOurChat = channel;
        channel = open("no-such-chat-" + USERS.incrementAndGet());
        send(hello(owner));
        assertErrorSchema(next(), 404);
        assertUnauthenticated();
        assertThat(channel.finish()).isFalse();
        assertThat(onOurChat.finish()).isFalse();
    }

    @Test
    void binaryAndOtherFramesPassThroughUntouched() {
        ByteBuf payload = tracked(new byte[]{1, 2, 3});
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(payload);

        assertThat(channel.writeInbound(binary)).isTrue();

        BinaryWebSocketFrame passed = channel.readInbound();
        assertThat(passed).isSameAs(binary);
        passed.release();
        assertThat(framesIn()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    // ---- frames that arrive while a hello is checked ---------------------------------------------

    @Test
    void framesWhileTheHelloIsCheckedAreHeldUpTo16ThenReleasedInOrder() {
        TextWebSocketFrame hello = send(hello(owner)); // its answer waits on the loop until we run it
        List<TextWebSocketFrame> held = new ArrayList<>();
        for (int i = 1; i <= PairAuthenticator.MAX_PENDING; i++) {
            held.add(send(message(owner, "m" + i)));
        }
        assertThat((Object) channel.readOutbound()).as("nothing answered while checking").isNull();
        assertThat(held).allSatisfy(frame -> assertThat(frame.refCnt()).as("held").isEqualTo(1));

        TextWebSocketFrame over = send(message(owner, "one too many"));

        JsonNode refused = immediate();
        assertErrorSchema(refused, 429);
        assertThat(over.refCnt()).isZero();

        assertThat(next().path("code").asInt()).isEqualTo(200);
        assertThat(hello.refCnt()).isZero();
        List<String> delivered = new ArrayList<>();
        for (int i = 1; i <= PairAuthenticator.MAX_PENDING; i++) {
            delivered.add(next().path("message").asText());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= PairAuthenticator.MAX_PENDING; i++) {
            expected.add("m" + i);
        }
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(history()).extracting(Message::content).containsExactlyElementsOf(expected);
        assertThat(held).allSatisfy(frame -> assertThat(frame.refCnt()).as("released").isZero());
        assertThat(handlerNames()).doesNotContain(FRAME_AUTH);
        assertThat(framesIn()).as("each frame counted once").isEqualTo(PairAuthenticator.MAX_PENDING + 2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void afterARefusedHelloTheFramesThatWaitedAreTriedAsHellos() {
        send(hello("outsider-" + USERS.incrementAndGet()));
        send(hello(owner)); // waits for the answer to the first

        assertErrorSchema(next(), 403);
        assertThat(next().path("code").asInt()).isEqualTo(200);
        assertThat(wiring.sessions().all()).singleElement().satisfies(s -> assertThat(s.userId()).isEqualTo(owner));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closingWhileTheHelloIsCheckedReleasesEveryHeldFrameAndStartsNoSession() {
        TextWebSocketFrame hello = send(hello(owner));
        List<TextWebSocketFrame> held = List.of(send(message(owner, "a")), send(message(owner, "b")));

        channel.close();

        assertThat(held).allSatisfy(frame -> assertThat(frame.refCnt()).isZero());
        assertThat(loop.awaitAndRun(TIMEOUT)).as("the check's answer came back").isPositive();
        assertThat(hello.refCnt()).isZero();
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(history()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    // ---- the deadline -----------------------------------------------------------------------------

    @Test
    void noValidHelloWithinTheDeadlineClosesWith1008() {
        send("{\"message\":\"no session\"}");
        assertErrorSchema(immediate(), 401);

        loop.advanceTimeBy(HELLO_DEADLINE.minusMillis(1));
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();

        loop.advanceTimeBy(Duration.ofMillis(1));

        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1008);
        assertThat(close.reasonText()).contains("sessionId");
        close.release();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(count(wiring.registry(), "parley.protocol.closes", "code", "1008")).isEqualTo(1);
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aValidHelloCancelsTheDeadline() {
        send(hello(owner));
        next();

        loop.advanceTimeBy(HELLO_DEADLINE.multipliedBy(3));

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
        assertThat(count(wiring.registry(), "parley.protocol.closes", "code", "1008")).isZero();
        assertThat(channel.finish()).isFalse();
    }
}
