package io.parley.gateway.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;

/**
 * The RFC 6455 (version 13) server handshake with Parley's {@link StrictFrameDecoder}. Only
 * version 13 is spoken: the pre-RFC drafts 07/08 that Netty's factory also accepts are not.
 */
public final class StrictHandshaker extends WebSocketServerHandshaker13 {

    private StrictHandshaker(String url, String subprotocol, WebSocketDecoderConfig config) {
        super(url, subprotocol, config);
    }

    /** A handshaker for the request, or {@code null} when it does not ask for version 13. */
    public static WebSocketServerHandshaker forRequest(HttpRequest request, String url, String subprotocol,
                                                       WebSocketDecoderConfig config) {
        String version = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        return "13".equals(version) ? new StrictHandshaker(url, subprotocol, config) : null;
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new StrictFrameDecoder(decoderConfig());
    }
}
