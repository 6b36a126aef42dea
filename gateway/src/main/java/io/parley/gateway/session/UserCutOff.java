package io.parley.gateway.session;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.parley.gateway.auth.Revocations;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

import java.time.Instant;

/**
 * Ends a user's sockets on this node when the application says so: all of them (disconnect), or
 * those opened with a token issued before a time (revocation, which is also remembered, so that
 * the user's older tokens are refused from now on). Each socket first gets an error frame in its
 * dialect, then the closing handshake with {@code status}. Called for this node's own requests and
 * for the cluster's notices; thread-safe.
 */
public final class UserCutOff {
    private final SessionRegistry sessions;
    private final Revocations revocations;
    private final WebSocketCloseStatus status;

    public UserCutOff(SessionRegistry sessions, Revocations revocations, WebSocketCloseStatus status) {
        this.sessions = sessions;
        this.revocations = revocations;
        this.status = status;
    }

    /** Closes every socket of the user here. */
    public void disconnect(String userId) {
        sessions.forEachOf(userId, session -> end(session, new ChatException(ErrorCode.FORBIDDEN,
                "disconnected by the application"), "disconnected"));
    }

    /** Refuses the user's tokens issued before {@code issuedBefore} and closes the sockets they opened here. */
    public void revoke(String userId, Instant issuedBefore) {
        revocations.revoke(userId, issuedBefore);
        sessions.forEachOf(userId, session -> {
            if (revocations.refuses(session.principal())) {
                end(session, new ChatException(ErrorCode.UNAUTHORIZED, "access token revoked: sign in again"),
                        "token revoked");
            }
        });
    }

    private void end(Session session, ChatException lastWords, String reason) {
        session.channel().eventLoop().execute(() -> {
            session.send(session.codec().encodeError(null, lastWords));
            session.channel().pipeline().fireUserEventTriggered(new CloseRequest(status, reason));
        });
    }
}
