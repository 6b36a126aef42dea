package io.parley.gateway.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.parley.protocol.command.ChatEvent;

/**
 * Writes encoded frames unchanged. A shared push goes out as a duplicate of its ready-made wire
 * frame; on a connection with an extension (permessage-deflate), whose encoder must see a frame
 * object, as a frame over a duplicate of its payload. No copy either way.
 */
public final class PlainFrameWriter implements FrameWriter {
    private final Channel channel;
    /** Whether the connection negotiated an extension; known once the 101 is written, read on first push. */
    private Boolean extended;

    public PlainFrameWriter(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void write(byte[] encoded) {
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(encoded)), channel.voidPromise());
    }

    @Override
    public void writeShared(SharedFrame frame, ChatEvent event) {
        if (extended()) {
            channel.writeAndFlush(new TextWebSocketFrame(frame.payload().retainedDuplicate()), channel.voidPromise());
        } else {
            // A ByteBuf passes the WebSocket encoder untouched: the frame's bytes go out as they are.
            channel.writeAndFlush(frame.wire().retainedDuplicate(), channel.voidPromise());
        }
    }

    /**
     * Pushes reach a connection only once its session is active, after the 101 is written and
     * any extension's encoder is in the pipeline; a racing first computation gives the same answer.
     */
    private boolean extended() {
        Boolean known = extended;
        if (known == null) {
            known = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
            extended = known;
        }
        return known;
    }
}
