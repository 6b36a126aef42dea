package io.parley.gateway.connection;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.JwtKeys;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.IdleSweeps;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Reply;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.ALLOWED_ORIGINS;
import static io.parley.gateway.config.Settings.BIND_ADDRESS;
import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static io.parley.gateway.config.Settings.JWT_PUBLIC_KEY_FILE;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_ADDRESS;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.PORT;

/**
 * The server the Autobahn testsuite's fuzzing client talks to (RFC 6455 conformance, cases
 * 1-10): Parley's own HTTP phase, handshake handler (a real JWT check), strict frame decoder and
 * frame layer ({@link ConnectionPipeline#addHttpPhase}, {@link ConnectionPipeline#addFrameLayer}), with an echo of text and binary
 * messages in place of the chat handler, as the testsuite requires. Test code only: production
 * has no echo route and refuses binary frames (1003).
 *
 * <p>Started by {@code mvn -Pautobahn verify} (gateway/pom.xml) with the port as its argument;
 * binds 127.0.0.1 only.
 */
public final class AutobahnServer {
    private static final String SECRET = "autobahn-echo-secret-autobahn-echo-secret";

    private AutobahnServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        start(Integer.parseInt(args[0])).closeFuture().sync();
    }

    static Channel start(int port) throws InterruptedException {
        ParleyConfig config = ParleyConfig.builder()
                .set(PORT, port)
                .set(BIND_ADDRESS, "127.0.0.1")
                .set(JWT_SECRET, SECRET)
                .set(MAX_FRAME_BYTES, 16 * 1024 * 1024) // case 9.1.6 echoes a 16 MiB message
                .set(IDLE_TIMEOUT, Duration.ofMinutes(5))
                .build();
        GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
        ConnectionLimits limits = new ConnectionLimits(config.get(MAX_CONNECTIONS_PER_USER),
                config.get(MAX_CONNECTIONS_PER_ADDRESS), metrics);
        // The fuzzing client cannot send a token, so the echo endpoint supplies one: the real
        // verifier still checks it.
        String token = JWT.create().withSubject("autobahn").withExpiresAt(Instant.now().plus(Duration.ofDays(1)))
                .sign(Algorithm.HMAC256(SECRET));
        List<DialectEndpoint> endpoints = List.of(new EchoEndpoint(token));
        // The echo endpoint names no chat, so the handshake never consults a chat core (null).
        WebSocketHandshakeHandler handshake = new WebSocketHandshakeHandler(endpoints,
                new TokenVerifier(JwtKeys.of(config.get(JWT_PUBLIC_KEY_FILE), config.get(JWT_SECRET)).verificationAlgorithm(), null, null, config.get(JWT_LEEWAY)),
                new OriginPolicy(config.get(ALLOWED_ORIGINS)), ConnectionPipeline.decoderConfig(config), null,
                new EchoSessions(metrics, config), limits, metrics);
        HttpRouter router = new HttpRouter(Map.of(), uri -> true);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ConnectionPipeline.addHttpPhase(ch.pipeline(), config, metrics, router, handshake);
                    }
                })
                .bind(new InetSocketAddress(config.get(BIND_ADDRESS), config.get(PORT)))
                .sync()
                .channel();
        server.closeFuture().addListener(f -> group.shutdownGracefully());
        return server;
    }

    /** Every path is the echo endpoint. */
    private record EchoEndpoint(String token) implements DialectEndpoint {
        @Override
        public DialectCodec codec() {
            return ECHO_CODEC;
        }

        @Override
        public boolean matches(QueryStringDecoder uri) {
            return true;
        }

        @Override
        public String credential(FullHttpRequest request) {
            return token;
        }

        @Override
        public String identityMismatch(QueryStringDecoder uri, Principal principal) {
            return null;
        }

        @Override
        public String selectedSubprotocol() {
            return null;
        }
    }

    /** Echo connections are sessions without chat handlers: nothing registers, nothing is delivered. */
    private record EchoSessions(GatewayMetrics metrics, ParleyConfig config) implements ConnectionLifecycle {
        /** The real frame layer, with the echo in place of the session's handlers. */
        @Override
        public void upgraded(ChannelHandlerContext ctx) {
            ConnectionPipeline.addFrameLayer(ctx.pipeline(), metrics, config.get(MAX_FRAME_BYTES),
                    new IdleSweeps(config.get(IDLE_TIMEOUT)));
            ctx.pipeline().addBefore(PipelineNames.CONTROL, "echo", new Echo());
            ConnectionPipeline.removeHttpPhase(ctx);
        }

        @Override
        public Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri,
                               Principal principal, String credential) {
            return new Session(principal, endpoint.codec(), pipeline.channel());
        }

        @Override
        public void activate(Session session) {
        }

        @Override
        public void closed(Session session) {
        }
    }

    /** Sends every data message back as it came. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }

    private static final DialectCodec ECHO_CODEC = new DialectCodec() {
        @Override
        public String dialect() {
            return "echo";
        }

        @Override
        public Request decode(byte[] utf8, int offset, int length) {
            throw new UnsupportedOperationException("echo only");
        }

        @Override
        public byte[] encodeReply(Request.Valid request, Reply reply) {
            throw new UnsupportedOperationException("echo only");
        }

        @Override
        public byte[] encodeError(Request request, ChatException error) {
            throw new UnsupportedOperationException("echo only");
        }

        @Override
        public byte[] encodeEvent(ChatEvent event) {
            return null;
        }
    };
}
