package io.parley.gateway.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.parley.protocol.command.ChatEvent;

import java.util.Map;

/**
 * Writes encoded frames unchanged. A shared push goes out as a duplicate of its ready-made wire
 * frame, entering the pipeline at its {@link PushPath}; on a connection with an extension
 * (permessage-deflate), whose encoder must see a frame object, as a frame over a duplicate of its
 * payload. No copy either way.
 */
public final class PlainFrameWriter implements FrameWriter {
    private final Channel channel;
    // What the pipeline holds, learned at the first push (once the 101 is written):
    private boolean learned;
    /** Whether the connection negotiated an extension, whose encoder must see frame objects. */
    private boolean extended;
    /** Where ready-made frames enter the pipeline; null: at its tail. */
    private PushPath pushPath;

    public PlainFrameWriter(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void write(byte[] encoded) {
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(encoded)), channel.voidPromise());
    }

    @Override
    public void writeShared(SharedFrame frame, ChatEvent event) {
        if (!learned) {
            learnPipeline();
        }
        if (extended) {
            channel.writeAndFlush(new TextWebSocketFrame(frame.payload().retainedDuplicate()), channel.voidPromise());
        } else if (pushPath != null && channel.eventLoop().inEventLoop()) {
            pushPath.push(frame.wire().retainedDuplicate());
        } else {
            // A ByteBuf passes the WebSocket encoder untouched: the frame's bytes go out as they are.
            channel.writeAndFlush(frame.wire().retainedDuplicate(), channel.voidPromise());
        }
    }

    /**
     * Pushes reach a connection only once its session is active, after the 101 is written and
     * any extension's encoder is in the pipeline; a racing first look sees the same pipeline.
     */
    private void learnPipeline() {
        extended = channel.pipeline().get(WebSocketExtensionEncoder.class) != null;
        for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
            if (entry.getValue() instanceof PushPath path) {
                pushPath = path;
            }
        }
        learned = true;
    }
}
