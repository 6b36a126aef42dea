package io.parley.gateway.server;

import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * permessage-deflate (RFC 7692), offered only when {@code permessage_deflate} is on. Memory per
 * socket is bounded: the server asks the client not to keep its compression context
 * ({@code client_no_context_takeover}), so the inflater lives only while a message is decoded;
 * a decompressed message may not exceed {@code max_frame_bytes} (no zip bombs); the deflater keeps
 * one zlib context (window 32 KiB, memLevel 8: about 256 KiB) unless the client asks for
 * {@code server_no_context_takeover}, which is granted.
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
