package io.parley.gateway.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Credentials;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.session.FrameWriter;
import io.parley.gateway.session.PlainFrameWriter;
import io.parley.gateway.session.Session;
import io.parley.protocol.DialectCodec;

import java.util.function.Function;

/**
 * How one dialect is reached: which paths are its own, where its credential travels, which
 * identity or chat the URL names, what subprotocol the server selects, its codec, and the
 * per-connection handlers and frame writer the dialect needs beyond the common ones.
 */
public interface DialectEndpoint {

    DialectCodec codec();

    default String dialect() {
        return codec().dialect();
    }

    /** True if this request path belongs to the dialect. */
    boolean matches(QueryStringDecoder uri);

    /**
     * The raw credential from the request, or {@code null} when it carries none. By default
     * {@code Authorization: Bearer}, or for browsers the {@code access_token} subprotocol pair.
     */
    default String credential(FullHttpRequest request) {
        return Credentials.fromBearerOrSubprotocol(request);
    }

    /**
     * Checks identities the URL claims (e.g. {@code ?sid=}) against the principal.
     *
     * @return null when fine (the default: the URL claims no identity), else a message for the 403 response
     */
    default String identityMismatch(QueryStringDecoder uri, Principal principal) {
        return null;
    }

    /** The subprotocol the server selects, or {@code null} for none; by default {@code access_token}. */
    default String selectedSubprotocol() {
        return Credentials.ACCESS_TOKEN_SUBPROTOCOL;
    }

    /** A message for a 400 response when the URL's own parameters are malformed, else {@code null}. */
    default String invalidUrl(QueryStringDecoder uri) {
        return null;
    }

    /**
     * The chat this URL binds the socket to ({@code /chat/{chatId}}), or {@code null} when the
     * socket serves all the user's chats. The principal must be allowed in it before the upgrade
     * (403/404), or — when authenticated in frames — before the session starts.
     */
    default String chatOf(QueryStringDecoder uri) {
        return null;
    }

    /** True when the credential travels inside frames: the upgrade is admitted without one. */
    default boolean authenticatesInFrames() {
        return false;
    }

    /** The handler that authenticates a connection from its frames (only if {@link #authenticatesInFrames()}). */
    default ChannelHandler frameAuthenticator(QueryStringDecoder uri, ConnectionLifecycle lifecycle) {
        throw new UnsupportedOperationException(dialect() + " authenticates in the handshake");
    }

    /** How frames are written to this dialect's connections. */
    default Function<Channel, FrameWriter> frameWriters(QueryStringDecoder uri) {
        return PlainFrameWriter::new;
    }

    /** Adds this dialect's own per-session handlers (before the chat handler). */
    default void addSessionHandlers(ChannelPipeline pipeline, Session session, QueryStringDecoder uri) {
    }
}
