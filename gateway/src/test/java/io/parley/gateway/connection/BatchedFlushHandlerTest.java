package io.parley.gateway.connection;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.support.LeakDetectionExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** When a connection's writes reach the socket: once per read, once per batch, else at once. */
@ExtendWith(LeakDetectionExtension.class)
class BatchedFlushHandlerTest {
    private final FlushBatch batch = new FlushBatch();
    /** Answers every inbound message with two writes, each flushed, as a chat handler's replies are. */
    private final EmbeddedChannel channel = new EmbeddedChannel(new BatchedFlushHandler(batch),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
                }
            });

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void outsideABatchAndAReadAFlushGoesOutAtOnce() {
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));

        assertThat(flushedSoFar()).isEqualTo(1);
    }

    @Test
    void aBatchsWritesGoOutWhenTheBatchCloses() {
        batch.open();
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
        assertThat(flushedSoFar()).as("while the batch is open").isZero();

        batch.close();

        assertThat(flushedSoFar()).isEqualTo(2);
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {3}));
        assertThat(flushedSoFar()).as("after the batch: at once again").isEqualTo(3);
    }

    @Test
    void aReadsRepliesGoOutWhenTheReadCompletes() {
        channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[] {9}));
        assertThat(flushedSoFar()).as("during the read").isZero();

        channel.pipeline().fireChannelReadComplete();

        assertThat(flushedSoFar()).isEqualTo(2);
    }

    @Test
    void closingFlushesWhatABatchPutOff() {
        batch.open();
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));

        channel.close();

        assertThat(flushedSoFar()).isEqualTo(1);
        batch.close(); // the put-off flush has nothing left to do
        assertThat(flushedSoFar()).isEqualTo(1);
    }

    private int flushedSoFar() {
        return channel.outboundMessages().size();
    }
}
