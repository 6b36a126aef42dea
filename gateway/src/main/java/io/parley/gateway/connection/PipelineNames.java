package io.parley.gateway.connection;

/**
 * Handler names, and the pipeline's order in one place.
 *
 * <pre>
 * Admission (ConnectionPipeline, before any handler): over max_connections_per_address
 * from the remote address, the connection is closed at once.
 *
 * HTTP phase (every new connection):
 *   TLS                 SslHandler, when tls_cert_file is set (wss/https)
 *   HTTP_CODEC          HttpServerCodec: bytes &lt;-&gt; HTTP messages (header size limits)
 *   HANDSHAKE_DEADLINE  HandshakeDeadlineHandler: slowloris guard (each part of a request in time)
 *   CHUNKED_WRITER      ChunkedWriteHandler: attachment downloads over TLS, a chunk at a time
 *   UPLOADS             UploadHandler: attachment uploads stream to disk off the event loop;
 *                       every other request goes on
 *   HTTP_AGGREGATOR     HttpObjectAggregator: whole requests, bounded body
 *   WS_EXTENSIONS       WebSocketServerExtensionHandler, when permessage_deflate is on: negotiates
 *                       it and on the 101 replaces itself with the deflate decoder/encoder
 *   HTTP_ROUTER         HttpRouter: health, ready, metrics, dev tokens, page; WebSocket paths go on
 *   WS_HANDSHAKE        WebSocketHandshakeHandler: auth before upgrade, then swaps in ...
 *
 * WebSocket phase (after the 101; the HTTP handlers above are gone, TLS stays):
 *   FLUSH               BatchedFlushHandler, first in the pipeline: the acks and pushes of one
 *                       batch of deliveries, or the replies of one read, leave in one flush
 *   wsdecoder/wsencoder StrictFrameDecoder + Netty's encoder (Netty's names; frame size limit,
 *                       masking, close-frame validation)
 *   (deflate)           per-message deflate decoder/encoder, if negotiated (Netty's names)
 *   UTF8_VALIDATOR      Utf8FrameValidator: invalid UTF-8 text closes with 1007
 *   FRAME_AGGREGATOR    WebSocketFrameAggregator: fragments into one message, size-limited (1009)
 *   CONTROL             ControlFrameHandler: ping/pong, close, binary refusal, idle ping/close
 *                       (idle time checked by one sweep per event loop, IdleSweeps); the same
 *                       sweep closes with 4001 once the session's token has expired
 *   FRAME_AUTH          a dialect's in-frame authenticator (pair), until its first valid hello:
 *                       turns the hello's credential into a session, then adds the handlers below
 *   (dialect's own)     DialectEndpoint.addSessionHandlers, e.g. feed's first update and heartbeats
 *   CHAT                ChatFrameHandler: text frame -> rate limit -> codec -> chat core -> reply
 * </pre>
 */
public final class PipelineNames {
    public static final String FLUSH = "flush";
    public static final String TLS = "tls";
    public static final String HTTP_CODEC = "http-codec";
    public static final String CHUNKED_WRITER = "chunked-writer";
    public static final String UPLOADS = "uploads";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String WS_EXTENSIONS = "ws-extensions";
    public static final String HANDSHAKE_DEADLINE = "handshake-deadline";
    public static final String HTTP_ROUTER = "http-router";
    public static final String WS_HANDSHAKE = "ws-handshake";
    public static final String UTF8_VALIDATOR = "utf8-validator";
    public static final String FRAME_AGGREGATOR = "frame-aggregator";
    public static final String CONTROL = "control";
    public static final String FRAME_AUTH = "frame-auth";
    public static final String CHAT = "chat";

    private PipelineNames() {
    }
}
