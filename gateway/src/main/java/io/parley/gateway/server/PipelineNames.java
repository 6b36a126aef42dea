package io.parley.gateway.server;

/**
 * Handler names, and the pipeline's order in one place.
 *
 * <pre>
 * HTTP phase (every new connection):
 *   HTTP_CODEC          HttpServerCodec: bytes &lt;-&gt; HTTP messages (header size limits)
 *   HTTP_AGGREGATOR     HttpObjectAggregator: whole requests, bounded body
 *   HANDSHAKE_DEADLINE  HandshakeDeadlineHandler: slowloris guard
 *   HTTP_ROUTER         HttpRouter: health, ready, metrics, dev tokens, page; WebSocket paths go on
 *   WS_HANDSHAKE        WebSocketHandshakeHandler: auth before upgrade, then swaps in ...
 *
 * WebSocket phase (after the 101; the four handlers above are gone):
 *   wsdecoder/wsencoder WebSocket13 frame codec (Netty's names; frame size limit, masking)
 *   UTF8_VALIDATOR      Utf8FrameValidator: invalid UTF-8 text closes with 1007
 *   FRAME_AGGREGATOR    WebSocketFrameAggregator: fragments into one message, size-limited (1009)
 *   IDLE                IdleStateHandler: no read for idle_timeout/2 fires an event
 *   CONTROL             ControlFrameHandler: ping/pong, close, binary refusal, idle ping/close
 *   PAIR_AUTH           PairAuthenticator (dialect pair only, until its first valid hello):
 *                       turns the hello's sessionId into a session, then adds the handlers below
 *   FEED_HISTORY        FeedHistoryHandler (dialect feed only, one-shot): the first update
 *   FEED_HEARTBEAT      FeedHeartbeatHandler (dialect feed, ?heartbeat=true): heartbeat frames
 *   CHAT                ChatFrameHandler: text frame -> codec -> chat core -> reply
 * </pre>
 */
public final class PipelineNames {
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String HANDSHAKE_DEADLINE = "handshake-deadline";
    public static final String HTTP_ROUTER = "http-router";
    public static final String WS_HANDSHAKE = "ws-handshake";
    public static final String UTF8_VALIDATOR = "utf8-validator";
    public static final String FRAME_AGGREGATOR = "frame-aggregator";
    public static final String IDLE = "idle";
    public static final String CONTROL = "control";
    public static final String PAIR_AUTH = "pair-auth";
    public static final String FEED_HISTORY = "feed-history";
    public static final String FEED_HEARTBEAT = "feed-heartbeat";
    public static final String CHAT = "chat";

    private PipelineNames() {
    }
}
