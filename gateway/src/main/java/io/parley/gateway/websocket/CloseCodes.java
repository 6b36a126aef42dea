package io.parley.gateway.websocket;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Every close code Parley sends, in one place (README "Close codes" mirrors this table).
 *
 * <pre>
 * 1000 normal            client asked to close; echoed
 * 1001 going away        node shutting down, or idle timeout (no pong); reconnect and resume
 * 1002 protocol error    malformed frame or close frame (RFC 6455)
 * 1003 unsupported data  binary frame: every dialect is JSON text
 * 1007 invalid payload   text that is not UTF-8
 * 1008 policy violation  pair: no valid hello ({"sessionId"}) within handshake_timeout
 * 1009 message too big   frame or message over max_frame_bytes
 * 1011 internal error    unexpected server failure
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

    private CloseCodes() {
    }
}
