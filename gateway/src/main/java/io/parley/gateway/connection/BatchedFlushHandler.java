package io.parley.gateway.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.parley.gateway.session.FlushBatch;

/**
 * First in the pipeline after the upgrade, so it sees the final flush of every write (TLS has
 * already encrypted what it flushes): a flush during a read waits for the read to complete, a
 * flush during a batch of deliveries waits for the batch's end ({@link FlushBatch}), anything
 * else flushes at once. Either way a connection is flushed once however many frames it got.
 */
final class BatchedFlushHandler extends ChannelDuplexHandler implements FlushBatch.DeferredFlush {
    private final FlushBatch batch;
    private ChannelHandlerContext ctx;
    private boolean readInProgress;
    private boolean flushPending;

    /** @param batch the batch of the channel's event loop */
    BatchedFlushHandler(FlushBatch batch) {
        this.batch = batch;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (flushPending) {
            return;
        }
        if (readInProgress || batch.defer(this)) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    @Override
    public void flushDeferred() {
        flushIfPending();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readInProgress = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readInProgress = false;
        flushIfPending();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            flushIfPending(); // let the socket take what it can rather than buffer more
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        flushIfPending();
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        flushIfPending();
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        flushIfPending();
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        flushIfPending();
    }

    private void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }
}
