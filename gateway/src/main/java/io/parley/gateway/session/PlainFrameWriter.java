package io.parley.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.protocol.command.ChatEvent;

/** Writes encoded frames unchanged; shared bytes go out as retained duplicates (no copy). */
public final class PlainFrameWriter implements FrameWriter {
    private final Channel channel;

    public PlainFrameWriter(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void write(byte[] encoded) {
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(encoded)), channel.voidPromise());
    }

    @Override
    public void writeShared(ByteBuf encoded, ChatEvent event) {
        channel.writeAndFlush(new TextWebSocketFrame(encoded.retainedDuplicate()), channel.voidPromise());
    }
}
