package io.parley.gateway.connection;

import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * permessage-deflate (RFC 7692), offered only when {@code permessage_deflate} is on. Memory per
 * socket is bounded: one zlib inflater (32 KiB window, about 40 KiB) and one deflater (window
 * 32 KiB, memLevel 8: about 256 KiB) while context takeover is on; a client that offers
 * {@code client_no_context_takeover} / {@code server_no_context_takeover} gets them, and then each
 * is freed after every message. A decompressed message may not exceed {@code max_frame_bytes}
 * (no zip bombs): the connection is closed instead.
 */
final class Compression {
    static final int LEVEL = 6;
    static final int WINDOW_BITS = 15;

    private Compression() {
    }

    /** One per connection: it remembers each request's offer until its response. */
    static WebSocketServerExtensionHandler extensionHandler(int maxMessageBytes) {
        return new WebSocketServerExtensionHandler(new PerMessageDeflateServerExtensionHandshaker(
                LEVEL, false, WINDOW_BITS, true, true, maxMessageBytes));
    }
}
