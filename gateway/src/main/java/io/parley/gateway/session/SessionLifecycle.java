package io.parley.gateway.session;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.handshake.DialectEndpoint;

/**
 * Starts and ends sessions, whoever authenticated them (the handshake, or a dialect's in-frame
 * authenticator). The pipeline layout behind it lives in one place (server/SessionPipeline).
 */
public interface SessionLifecycle {

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
