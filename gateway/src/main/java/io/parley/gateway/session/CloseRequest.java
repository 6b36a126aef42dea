package io.parley.gateway.session;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * A user event asking the socket's frame layer to start the closing handshake with this status:
 * how parts that do not own the connection (a disconnect or revocation by the application) end it.
 * Fired on the connection's pipeline, on its event loop.
 */
public record CloseRequest(WebSocketCloseStatus status, String reason) {
}
