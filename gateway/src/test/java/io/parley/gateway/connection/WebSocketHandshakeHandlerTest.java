package io.parley.gateway.connection;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.dialect.events.EventsEndpoint;
import io.parley.gateway.http.HealthRoutes;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.session.Session;
import io.parley.gateway.config.Settings;
import io.parley.gateway.support.ChatCore;
import io.parley.gateway.support.EmbeddedChannels;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import io.parley.gateway.support.TestNode;
import io.parley.protocol.events.EventsCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.connection.PipelineNames.CHAT;
import static io.parley.gateway.connection.PipelineNames.CONTROL;
import static io.parley.gateway.connection.PipelineNames.FRAME_AGGREGATOR;
import static io.parley.gateway.connection.PipelineNames.HANDSHAKE_DEADLINE;
import static io.parley.gateway.connection.PipelineNames.HTTP_AGGREGATOR;
import static io.parley.gateway.connection.PipelineNames.HTTP_CODEC;
import static io.parley.gateway.connection.PipelineNames.HTTP_ROUTER;
import static io.parley.gateway.connection.PipelineNames.UTF8_VALIDATOR;
import static io.parley.gateway.connection.PipelineNames.WS_HANDSHAKE;
import static io.parley.gateway.support.EmbeddedChannels.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handshake as bytes: raw HTTP upgrade requests go into the HTTP phase of the pipeline
 * (built as {@link ConnectionPipeline} builds it, with the real WebSocket phase installer)
 * and the response bytes are read back. Lives in this package to use
 * {@link ConnectionPipeline#webSocketPhase}.
 */
@ExtendWith(LeakDetectionExtension.class)
class WebSocketHandshakeHandlerTest {
    /** RFC 6455 section 1.3's example key and the accept value it must produce. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Settings.IDLE_TIMEOUT.defaultValue();
    private static final int MAX_FRAME_BYTES = Settings.MAX_FRAME_BYTES.defaultValue();

    @RegisterExtension
    static final ChatCore core = ChatCore.perClass();
    private final ChatCore.Wiring wiring = core.wire();

    private HttpRouter router;
    private WebSocketHandshakeHandler handshake;

    @BeforeEach
    void setUp() {
        List<DialectEndpoint> endpoints = List.of(new EventsEndpoint(new EventsCodec()));
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .allowExtensions(false)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
        router = new HttpRouter(Map.of("/health", HealthRoutes.health()), uri -> endpoints.get(0).matches(uri));
        handshake = new WebSocketHandshakeHandler(endpoints,
                new TokenVerifier(Algorithm.HMAC256(TestNode.SECRET), null, null, Duration.ZERO),
                new OriginPolicy(List.of("https://chat.example.com")), decoderConfig, wiring.chat(), wiring.connectionPipeline(),
                new ConnectionLimits(16, 1_000, wiring.metrics()), wiring.metrics());
    }

    /** The HTTP phase as {@code ConnectionPipeline.initChannel} lays it out, but for the upload handler (POSTs to .../attachments only). */
    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        ChannelPipeline p = channel.pipeline();
        p.addLast(HTTP_CODEC, new HttpServerCodec());
        p.addLast(HANDSHAKE_DEADLINE, new HandshakeDeadlineHandler(HANDSHAKE_TIMEOUT, wiring.metrics()));
        p.addLast(PipelineNames.CHUNKED_WRITER, new ChunkedWriteHandler());
        p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(ConnectionPipeline.MAX_HTTP_BODY_BYTES));
        p.addLast(HTTP_ROUTER, router);
        p.addLast(WS_HANDSHAKE, handshake);
        return channel;
    }

    private static String upgrade(String pathAndQuery, String... extraHeaders) {
        String[] headers = {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 13"};
        String[] all = Arrays.copyOf(headers, headers.length + extraHeaders.length);
        System.arraycopy(extraHeaders, 0, all, headers.length, extraHeaders.length);
        return RawHttp.request("GET", pathAndQuery, all);
    }

    private static String accessToken(String token) {
        return "Sec-WebSocket-Protocol: access_token, " + token;
    }

    private RawHttp.Response exchange(EmbeddedChannel channel, String request) {
        RawHttp.send(channel, request);
        return RawHttp.read(channel);
    }

    /** The pipeline's handler names in order (without Netty's head and tail). */
    private static List<String> handlerNames(EmbeddedChannel channel) {
        return List.copyOf(channel.pipeline().toMap().keySet());
    }

    private double handshakes(String result, String reason) {
        return count(wiring.registry(), "parley.handshakes", "result", result, "reason", reason);
    }

    private double connections() {
        Gauge gauge = wiring.registry().find("parley.connections").tag("dialect", "events").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    /** A refusal is plain HTTP with a JSON error; the connection stays in the HTTP phase, no session. */
    private void assertRefused(EmbeddedChannel channel, RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.json().at("/error/code").asInt()).isEqualTo(status);
        assertThat(response.header("Upgrade")).isNull();
        assertThat(handlerNames(channel)).contains(HTTP_CODEC, HTTP_AGGREGATOR, HANDSHAKE_DEADLINE, HTTP_ROUTER,
                WS_HANDSHAKE).doesNotContain(CHAT);
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(connections()).isZero();
    }

    // ---- success ----------------------------------------------------------------------------------

    @Test
    void validTokenUpgradesSelectsAccessTokenAndSwapsInTheWebSocketHandlers() throws IOException {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=alice", accessToken(TestNode.token("alice"))));

        assertThat(response.status()).isEqualTo(101);
        assertThat(response.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(response.header("Connection")).isEqualToIgnoringCase("upgrade");
        assertThat(response.header("Sec-WebSocket-Accept")).isEqualTo(ACCEPT);
        assertThat(response.header("Sec-WebSocket-Protocol")).isEqualTo("access_token");
        assertThat(handlerNames(channel)).containsExactly(PipelineNames.FLUSH, "wsencoder", "wsdecoder",
                UTF8_VALIDATOR, FRAME_AGGREGATOR, CONTROL, CHAT);

        List<Session> live = wiring.sessions().all();
        assertThat(live).hasSize(1);
        assertThat(live.get(0).userId()).isEqualTo("alice");
        assertThat(live.get(0).channel()).isSameAs(channel);
        assertThat(handshakes("accepted", "ok")).isEqualTo(1);
        assertThat(connections()).isEqualTo(1);

        // The handshake deadline is gone: the connection outlives it.
        channel.advanceTimeBy(HANDSHAKE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        runLoop(channel);
        assertThat(channel.isOpen()).isTrue();

        // The installed handlers speak WebSocket: a masked ping comes back as a pong ...
        channel.writeInbound(clientFrame(0x9, "ping?"));
        assertThat(RawHttp.drainBytes(channel)).isEqualTo(serverFrame(0xA, "ping?"));

        // ... and a text request is answered by the session of the token's user.
        channel.writeInbound(clientFrame(0x1, "{\"name\":\"Event.GetConversationList\",\"id\":1,\"args\":{\"user_id\":\"bob\"}}"));
        runLoop(channel);
        JsonNode reply = textOf(RawHttp.drainBytes(channel));
        assertThat(reply.at("/error/code").asInt()).isEqualTo(403);
        assertThat(reply.at("/error/message").asText()).contains("authenticated as 'alice'");

        channel.close();
        assertThat(wiring.sessions().all()).as("the session ends with the connection").isEmpty();
        assertThat(connections()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bearerTokenUpgradesWithoutASubprotocol() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws", "Authorization: Bearer " + TestNode.token("carol")));

        assertThat(response.status()).isEqualTo(101);
        assertThat(response.header("Sec-WebSocket-Protocol")).isNull();
        assertThat(wiring.sessions().isOnline("carol")).isTrue();
        assertThat(channel.finish()).isFalse();
        assertThat(wiring.sessions().isOnline("carol")).isFalse();
    }

    @Test
    void firefoxStyleConnectionHeaderWithSeveralTokensUpgrades() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, RawHttp.request("GET", "/ws?sid=frank",
                "Connection: keep-alive, Upgrade", "Upgrade: WebSocket", "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 13", accessToken(TestNode.token("frank"))));

        assertThat(response.status()).isEqualTo(101);
        assertThat(wiring.sessions().isOnline("frank")).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void upgradedConnectionIsPingedWhenIdleAndClosedWith1001WhenSilent() {
        EmbeddedChannel channel = connection();
        assertThat(exchange(channel, upgrade("/ws", accessToken(TestNode.token("gina")))).status()).isEqualTo(101);

        channel.advanceTimeBy(IDLE_TIMEOUT.toMillis() / 2, TimeUnit.MILLISECONDS);
        runLoop(channel);
        assertThat(RawHttp.drainBytes(channel)).as("an empty ping").containsExactly(0x89, 0x00);
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(IDLE_TIMEOUT.toMillis() / 2, TimeUnit.MILLISECONDS);
        runLoop(channel);
        byte[] close = RawHttp.drainBytes(channel);
        assertThat(close[0] & 0xff).as("FIN + close").isEqualTo(0x88);
        assertThat(((close[2] & 0xff) << 8) | (close[3] & 0xff)).isEqualTo(1001);
        assertThat(channel.isOpen()).isFalse();
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(count(wiring.registry(), "parley.protocol.closes", "code", "1001")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void allowedBrowserOriginUpgrades() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=dave", accessToken(TestNode.token("dave")),
                "Origin: HTTPS://Chat.Example.com/"));

        assertThat(response.status()).isEqualTo(101);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aRefusedConnectionCanStillUpgradeOnTheSameKeepAliveConnection() {
        EmbeddedChannel channel = connection();

        assertThat(exchange(channel, upgrade("/ws?sid=erin")).status()).isEqualTo(401);
        assertThat(channel.isOpen()).isTrue();
        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=erin", accessToken(TestNode.token("erin"))));

        assertThat(response.status()).isEqualTo(101);
        assertThat(wiring.sessions().isOnline("erin")).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    // ---- refusals before any upgrade --------------------------------------------------------------

    @Test
    void missingTokenIs401() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=alice"));

        assertRefused(channel, response, 401);
        assertThat(response.json().at("/error/message").asText()).isEqualTo("missing access token");
        assertThat(response.header("Connection")).isEqualToIgnoringCase("keep-alive");
        assertThat(channel.isOpen()).isTrue();
        assertThat(handshakes("rejected", "missing")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tokenSignedWithAnotherSecretIs401() {
        EmbeddedChannel channel = connection();
        String forged = JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256("not-the-server-secret-not-the-server-secret"));

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=alice", accessToken(forged)));

        assertRefused(channel, response, 401);
        assertThat(handshakes("rejected", "signature")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void expiredTokenIs401() {
        EmbeddedChannel channel = connection();
        String expired = JWT.create().withSubject("alice").withExpiresAt(Instant.now().minusSeconds(300))
                .sign(Algorithm.HMAC256(TestNode.SECRET));

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=alice", accessToken(expired)));

        assertRefused(channel, response, 401);
        assertThat(handshakes("rejected", "expired")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void garbageTokenIs401() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws", accessToken("not-a-jwt")));

        assertRefused(channel, response, 401);
        assertThat(handshakes("rejected", "malformed")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sidOfAnotherUserIs403() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=bob", accessToken(TestNode.token("alice"))));

        assertRefused(channel, response, 403);
        assertThat(response.json().at("/error/message").asText()).contains("'bob'");
        assertThat(handshakes("rejected", "identity")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void foreignBrowserOriginIs403EvenWithAValidToken() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws?sid=alice", accessToken(TestNode.token("alice")),
                "Origin: https://evil.example.net"));

        assertRefused(channel, response, 403);
        assertThat(handshakes("rejected", "origin")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void plainGetOnTheWebSocketPathIs400() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, RawHttp.request("GET", "/ws?sid=alice",
                accessToken(TestNode.token("alice"))));

        assertRefused(channel, response, 400);
        assertThat(response.json().at("/error/message").asText()).contains("Upgrade: websocket");
        assertThat(handshakes("rejected", "not_upgrade")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void postWithUpgradeHeadersIs400() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws", accessToken(TestNode.token("alice")))
                .replaceFirst("^GET ", "POST "));

        assertRefused(channel, response, 400);
        assertThat(handshakes("rejected", "not_upgrade")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void missingWebSocketKeyIs400() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, RawHttp.request("GET", "/ws", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", accessToken(TestNode.token("alice"))));

        assertRefused(channel, response, 400);
        assertThat(handshakes("rejected", "bad_handshake")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unsupportedWebSocketVersionIs426NamingVersion13() {
        EmbeddedChannel channel = connection();

        RawHttp.Response response = exchange(channel, upgrade("/ws", accessToken(TestNode.token("alice")))
                .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99"));

        assertThat(response.status()).isEqualTo(426);
        assertThat(response.header("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(wiring.sessions().all()).isEmpty();
        assertThat(handlerNames(channel)).contains(HTTP_CODEC, WS_HANDSHAKE).doesNotContain(CHAT);
        assertThat(handshakes("rejected", "version")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void requestForAPathWithoutEndpointIs404WhenItReachesTheHandshake() {
        // Behind the real router this cannot happen; alone, the handler still answers cleanly.
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1024), handshake);

        RawHttp.Response response = exchange(channel, upgrade("/elsewhere", accessToken(TestNode.token("alice"))));

        assertThat(response.status()).isEqualTo(404);
        assertThat(handshakes("rejected", "no_endpoint")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    // ---- WebSocket frames as bytes ------------------------------------------------------------------

    /** A client frame: FIN, the opcode, masked as RFC 6455 requires of clients (payload under 126 bytes). */
    private static ByteBuf clientFrame(int opcode, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isLessThan(126);
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer(6 + payload.length);
        frame.writeByte(0x80 | opcode).writeByte(0x80 | payload.length).writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.writeByte(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** A server frame: FIN, the opcode, unmasked (payload under 126 bytes). */
    private static byte[] serverFrame(int opcode, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    /** The JSON of one unmasked server text frame. */
    private static JsonNode textOf(byte[] frame) throws IOException {
        assertThat(frame[0] & 0xff).as("FIN + text").isEqualTo(0x81);
        int length = frame[1] & 0x7f;
        int offset = 2;
        if (length == 126) {
            length = ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
            offset = 4;
        }
        assertThat(frame[1] & 0x80).as("server frames are not masked").isZero();
        assertThat(frame.length).isEqualTo(offset + length);
        return EmbeddedChannels.JSON.readTree(new String(frame, offset, length, StandardCharsets.UTF_8));
    }

    /**
     * Runs the channel's due tasks and timers, then once more: with flush consolidation, what they
     * wrote reaches the socket in a flush task of its own.
     */
    private static void runLoop(EmbeddedChannel channel) {
        channel.runPendingTasks();
        channel.runPendingTasks();
    }
}
