package io.parley.gateway.websocket;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Every close code Parley sends, in one place (docs/errors.md mirrors this table).
 *
 * <pre>
 * 1000 normal            client asked to close; echoed
 * 1001 going away        node shutting down, or idle timeout (no pong); reconnect and resume
 * 1002 protocol error    malformed frame or close frame (RFC 6455)
 * 1003 unsupported data  binary frame: every dialect is JSON text
 * 1007 invalid payload   text that is not UTF-8
 * 1008 policy violation  kept sending through a burst's worth of 429 (rate limit) replies;
 *                        pair: no valid hello ({"sessionId"}) within handshake_timeout
 * 1009 message too big   frame or message over max_frame_bytes
 * 1011 internal error    unexpected server failure
 * 4001 token expired     the socket's access token (the one it opened with, or its last
 *                        refresh) expired (after an error frame in the dialect's format);
 *                        reconnect with a fresh one and resume
 * 4003 access ended      the application disconnected the user or revoked their token (after an
 *                        error frame in the dialect's format); reconnect with a valid token
 * 4008 slow consumer     outbound buffer over max_outbound_bytes; reconnect and page history
 * </pre>
 */
public final class CloseCodes {
    public static final WebSocketCloseStatus NORMAL = WebSocketCloseStatus.NORMAL_CLOSURE;
    public static final WebSocketCloseStatus GOING_AWAY = WebSocketCloseStatus.ENDPOINT_UNAVAILABLE;
    public static final WebSocketCloseStatus PROTOCOL_ERROR = WebSocketCloseStatus.PROTOCOL_ERROR;
    public static final WebSocketCloseStatus UNSUPPORTED_DATA = WebSocketCloseStatus.INVALID_MESSAGE_TYPE;
    public static final WebSocketCloseStatus INVALID_PAYLOAD = WebSocketCloseStatus.INVALID_PAYLOAD_DATA;
    public static final WebSocketCloseStatus POLICY_VIOLATION = WebSocketCloseStatus.POLICY_VIOLATION;
    public static final WebSocketCloseStatus MESSAGE_TOO_BIG = WebSocketCloseStatus.MESSAGE_TOO_BIG;
    public static final WebSocketCloseStatus INTERNAL_ERROR = WebSocketCloseStatus.INTERNAL_SERVER_ERROR;
    public static final WebSocketCloseStatus SLOW_CONSUMER = new WebSocketCloseStatus(4008, "slow consumer");
    public static final WebSocketCloseStatus TOKEN_EXPIRED = new WebSocketCloseStatus(4001, "token expired");
    public static final WebSocketCloseStatus ACCESS_ENDED = new WebSocketCloseStatus(4003, "access ended");

    /**
     * Whether a close code received from a peer is acceptable (RFC 6455 section 7.4 and the IANA
     * registry): 1000-1003, 1007-1014, and 3000-4999 for libraries and applications. Everything
     * else, including 1004-1006 and 1015 (never sent on the wire) and 5000 and up, is answered 1002.
     */
    public static boolean isValidReceived(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    private CloseCodes() {
    }
}
