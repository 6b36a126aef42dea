package io.parley.gateway.dialect.pair;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.connection.ConnectionLifecycle;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.connection.PathTemplate;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.protocol.DialectCodec;

import java.time.Duration;

/**
 * Dialect {@code pair} (seed 000): {@code GET /chat/{chatId}} with no credential in the
 * handshake. The socket starts unauthenticated; a {@link PairAuthenticator} turns the first
 * valid {@code {"sessionId"}} frame into a session bound to that chat.
 */
public final class PairEndpoint implements DialectEndpoint {
    public static final PathTemplate PATH = new PathTemplate("/chat/");

    private final DialectCodec codec;
    private final TokenVerifier tokens;
    private final ChatService chat;
    private final Duration helloDeadline;
    private final GatewayMetrics metrics;

    public PairEndpoint(DialectCodec codec, TokenVerifier tokens, ChatService chat, Duration helloDeadline,
                        GatewayMetrics metrics) {
        this.codec = codec;
        this.tokens = tokens;
        this.chat = chat;
        this.helloDeadline = helloDeadline;
        this.metrics = metrics;
    }

    @Override
    public DialectCodec codec() {
        return codec;
    }

    @Override
    public boolean matches(QueryStringDecoder uri) {
        return uri.path().startsWith(PATH.prefix());
    }

    @Override
    public String invalidUrl(QueryStringDecoder uri) {
        return PATH.parameter(uri.path()) == null ? "expected /chat/{chatId}" : null;
    }

    @Override
    public String chatOf(QueryStringDecoder uri) {
        return PATH.parameter(uri.path());
    }

    @Override
    public boolean authenticatesInFrames() {
        return true;
    }

    @Override
    public ChannelHandler frameAuthenticator(QueryStringDecoder uri, ConnectionLifecycle lifecycle) {
        return new PairAuthenticator(tokens, chat, this, uri, lifecycle, helloDeadline, metrics);
    }

    @Override
    public String credential(FullHttpRequest request) {
        return null;
    }

    @Override
    public String selectedSubprotocol() {
        return null;
    }
}
