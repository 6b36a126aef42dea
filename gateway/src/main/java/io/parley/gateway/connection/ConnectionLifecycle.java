package io.parley.gateway.connection;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.session.Session;

/**
 * The steps of a connection after its HTTP request was accepted, as the handshake handler and a
 * dialect's in-frame authenticator take them. {@link ConnectionPipeline} implements them; the
 * conformance server swaps in an echo.
 */
public interface ConnectionLifecycle {

    /** The 101 is on its way: adds the WebSocket transport handlers and removes the HTTP ones (the handshake's too). */
    void upgraded(ChannelHandlerContext handshakeContext);

    /**
     * Creates the session and adds its handlers (the dialect's extras, then the chat handler).
     *
     * @param credential the token that authenticated the connection (kept in the session's
     *                   scope for dialects that repeat it in frames)
     */
    Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri, Principal principal,
                    String credential);

    /** The session is live: registered for delivery, presence updated, {@code HandshakeComplete} fired. */
    void activate(Session session);

    /** The connection closed: unregistered, presence updated. */
    void closed(Session session);
}
