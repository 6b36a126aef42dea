package io.parley.gateway.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One pushed event as encoded for one dialect, shared by every recipient of that dialect on this
 * node: the payload, and the whole WebSocket text frame around it, built once in direct memory.
 * A server's frames are not masked (RFC 6455 section 5.1), so that frame is byte for byte the
 * same for every connection without an extension: each gets a duplicate of it, as the ideal
 * broadcast server does, instead of an encoder's allocation and copy per recipient.
 *
 * <p>Reference-counted: whoever passes it to another thread retains it for that thread; the last
 * release frees both buffers. A writer takes its own reference of what it writes
 * ({@code retainedDuplicate}), so it never needs this object past its call.
 */
public final class SharedFrame extends AbstractReferenceCounted {
    private static final int FIN_TEXT = 0x81;

    private final ByteBuf payload;
    private final ByteBuf wire;

    /** Takes over {@code payload}'s reference. */
    public SharedFrame(ByteBuf payload) {
        this.payload = payload;
        int length = payload.readableBytes();
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(length + 10);
        frame.writeByte(FIN_TEXT);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length < 65_536) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        this.wire = frame.writeBytes(payload, payload.readerIndex(), length);
    }

    /** The event's bytes as the dialect encoded them (for writers that change or compress them). */
    public ByteBuf payload() {
        return payload;
    }

    /** The final, unmasked text frame holding {@link #payload()}: bytes to write as they are. */
    public ByteBuf wire() {
        return wire;
    }

    @Override
    public SharedFrame retain() {
        super.retain();
        return this;
    }

    @Override
    protected void deallocate() {
        payload.release();
        wire.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        payload.touch(hint);
        wire.touch(hint);
        return this;
    }
}
