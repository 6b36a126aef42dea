package io.parley.gateway.dialect.feed;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.session.FrameWriter;
import io.parley.gateway.session.SharedFrame;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.feed.FeedCodec;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes {@code feed} frames: the codec's open frames (shared by every socket) followed by this
 * socket's {@code socket_sequence} and {@code }}, as a composite buffer — no JSON is encoded per
 * socket. Numbers are assigned on the channel's event loop at write time, so they follow the
 * wire order from 0.
 *
 * <p>The first frame must be the history {@code update}: until {@link #start} everything is held
 * (at most {@link #MAX_HELD} frames; beyond that the socket is closed), then written after it.
 * A message the history already holds is never written again, whether its frame was held or
 * arrives later: a message committed just before the history was read may be pushed (or
 * acknowledged to this socket) just after it was written.
 */
public final class FeedFrameWriter implements FrameWriter {
    /** Frames held while the history loads; a chat that busy closes the socket rather than buffer more. */
    public static final int MAX_HELD = 1024;

    private record Held(ByteBuf open, long messageSeq) {
    }

    private final Channel channel;
    // Event loop only:
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean started;
    private long historyHorizonSeq;
    private long next;

    public FeedFrameWriter(Channel channel) {
        this.channel = channel;
        channel.closeFuture().addListener(f -> onLoop(this::releaseHeld));
    }

    @Override
    public void write(byte[] open) {
        accept(Unpooled.wrappedBuffer(open), 0);
    }

    @Override
    public void write(byte[] open, long messageSeq) {
        accept(Unpooled.wrappedBuffer(open), messageSeq);
    }

    @Override
    public void writeShared(SharedFrame frame, ChatEvent event) {
        accept(frame.payload().retainedDuplicate(), event.messageSeq()); // the frame's number goes after it
    }

    /**
     * Writes the history update as frame 0, then the held frames; from now on new-message frames
     * whose sequence is at or below {@code historyHorizonSeq} (already in the history) are dropped,
     * held or not.
     */
    public void start(byte[] historyUpdate, long historyHorizonSeq) {
        onLoop(() -> {
            if (started) {
                return;
            }
            started = true;
            this.historyHorizonSeq = historyHorizonSeq;
            emit(Unpooled.wrappedBuffer(historyUpdate));
            Held h;
            while ((h = held.poll()) != null) {
                if (inHistory(h.messageSeq())) {
                    h.open().release();
                } else {
                    emit(h.open());
                }
            }
        });
    }

    /** True for a new message's frame that the history update already showed. */
    private boolean inHistory(long messageSeq) {
        return messageSeq > 0 && messageSeq <= historyHorizonSeq;
    }

    private void accept(ByteBuf open, long messageSeq) {
        if (!onLoop(() -> {
            if (!channel.isActive()) {
                open.release();
            } else if (started) {
                if (inHistory(messageSeq)) {
                    open.release();
                } else {
                    emit(open);
                }
            } else if (held.size() >= MAX_HELD) {
                open.release();
                channel.close();
            } else {
                held.add(new Held(open, messageSeq));
            }
        })) {
            open.release();
        }
    }

    private void emit(ByteBuf open) {
        ByteBuf frame = Unpooled.wrappedBuffer(open, Unpooled.wrappedBuffer(FeedCodec.close(next++)));
        channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
    }

    private void releaseHeld() {
        Held h;
        while ((h = held.poll()) != null) {
            h.open().release();
        }
    }

    /** Runs the task on the channel's event loop; false if the loop is gone (shutting down). */
    private boolean onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            channel.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
