package io.parley.gateway.session;

import io.netty.buffer.ByteBuf;

/**
 * Where a connection's pushed frames enter its pipeline: frames already encoded for the wire skip
 * the handlers that only read and the frame encoder, but not the guard that drops frames once the
 * closing handshake has started. Implemented by the handler that owns that guard; event loop only.
 */
public interface PushPath {

    /** Writes and flushes {@code wireFrame} (a complete, unmasked WebSocket frame), or releases it when closing. */
    void push(ByteBuf wireFrame);
}
