package io.parley.loadtest.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.nio.charset.StandardCharsets;

/** One open WebSocket of a {@link LoadClient}. Thread-safe: writes from any thread are queued on its event loop. */
public final class WsConnection {
    private final Channel channel;
    /** Free slot for the owner (e.g. the user id or an index); the client never reads it. */
    public volatile Object attachment;

    WsConnection(Channel channel) {
        this.channel = channel;
    }

    public void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }

    /** Sends bytes the caller already encoded as UTF-8; the buffer is released by Netty. */
    public void send(ByteBuf utf8) {
        channel.writeAndFlush(new TextWebSocketFrame(utf8), channel.voidPromise());
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Sends close 1000 and closes the socket once written. */
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(f -> channel.close());
        }
    }

    /** The thread this socket's reads and listener run on: schedule per-socket work here, lock-free. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    Channel channel() {
        return channel;
    }

    /** Decodes a payload for slow paths (setup, errors); the hot paths scan bytes instead. */
    public static String text(ByteBuf payload) {
        return payload.toString(StandardCharsets.UTF_8);
    }
}
