package io.parley.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.protocol.DialectCodec;

import java.util.concurrent.atomic.AtomicLong;

/** One authenticated WebSocket connection: who it is, which dialect it speaks, where to write. */
public final class Session {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final Principal principal;
    private final DialectCodec codec;
    private final Channel channel;

    public Session(Principal principal, DialectCodec codec, Channel channel) {
        this.principal = principal;
        this.codec = codec;
        this.channel = channel;
    }

    /** Unique within this process; lets a sender's own connection be skipped when echoing. */
    public long id() {
        return id;
    }

    public Principal principal() {
        return principal;
    }

    public String userId() {
        return principal.userId();
    }

    public DialectCodec codec() {
        return codec;
    }

    public Channel channel() {
        return channel;
    }

    public String dialect() {
        return codec.dialect();
    }

    /**
     * Writes an encoded frame shared with other recipients; takes a reference of its own.
     * Safe from any thread.
     */
    public void sendShared(ByteBuf encoded) {
        channel.writeAndFlush(new TextWebSocketFrame(encoded.retainedDuplicate()), channel.voidPromise());
    }

    @Override
    public String toString() {
        return "Session[" + id + " " + principal.userId() + "/" + codec.dialect() + " " + channel.remoteAddress() + "]";
    }
}
