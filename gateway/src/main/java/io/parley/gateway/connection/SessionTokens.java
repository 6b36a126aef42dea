package io.parley.gateway.connection;

import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;

import java.time.Duration;

import static io.parley.gateway.connection.PipelineNames.CONTROL;

/**
 * A socket lives as long as its token: the token's expiry (plus {@code jwt_leeway}, the skew the
 * handshake allowed) is the connection's close deadline — an error 401 in the dialect's format,
 * then close 4001 — and a client that sends a fresh token ({@link Command.RefreshToken}) before
 * then moves the deadline to the new token's expiry. The fresh token is verified by the node's
 * {@link TokenVerifier}, exactly as at the handshake, and must name the connection's user and be
 * no service token. Shared by every connection; each call on the connection's event loop.
 */
public final class SessionTokens {
    private static final ChatException EXPIRED = new ChatException(ErrorCode.UNAUTHORIZED,
            "access token expired: reconnect with a fresh one (refresh it before it expires to keep the socket)");

    private final TokenVerifier tokens;
    private final Duration leeway;

    public SessionTokens(TokenVerifier tokens, Duration leeway) {
        this.tokens = tokens;
        this.leeway = leeway;
    }

    /**
     * Sets the connection's close deadline from its principal's expiry, replacing any earlier one.
     * (Handler tests build session phases without the frame layer, so without a control handler
     * to end them: nothing to set there.)
     */
    void closeAtExpiry(Session session) {
        Principal principal = session.principal();
        if (principal.expiresAt() != null
                && session.channel().pipeline().get(CONTROL) instanceof ControlFrameHandler control) {
            control.closeAt(principal.expiresAt().plus(leeway),
                    () -> session.send(session.codec().encodeError(null, EXPIRED)));
        }
    }

    /**
     * Makes {@code token} the session's credential and moves the deadline to its expiry.
     *
     * @throws ChatException 401 when the token is not valid (the verifier's reason), 403 when it
     *                       is a service token or names another user; the session is then unchanged
     */
    Reply.TokenRefreshed refresh(Session session, String token) {
        Principal fresh;
        try {
            fresh = tokens.verify(token);
        } catch (AuthException e) {
            throw new ChatException(ErrorCode.UNAUTHORIZED, "token refresh refused: " + e.getMessage());
        }
        if (fresh.service()) {
            throw new ChatException(ErrorCode.FORBIDDEN,
                    "token refresh refused: a service token is for the server API and cannot be used on a socket");
        }
        if (!fresh.userId().equals(session.userId())) {
            throw new ChatException(ErrorCode.FORBIDDEN, "token refresh refused: the token is user '" + fresh.userId()
                    + "' but this connection is user '" + session.userId() + "'; open a connection of its own for another user");
        }
        if (fresh.expiresAt() == null) {
            // The verifier requires exp; the socket's deadline relies on it, so never assume it.
            throw new ChatException(ErrorCode.UNAUTHORIZED, "token refresh refused: the token has no expiry (exp)");
        }
        session.refreshed(fresh, token);
        closeAtExpiry(session);
        return new Reply.TokenRefreshed(fresh.expiresAt());
    }
}
