package io.parley.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.session.FrameWriter;
import io.parley.gateway.session.SharedFrame;
import io.parley.protocol.command.ChatEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Small helpers for {@code EmbeddedChannel} tests: tracked buffers, frames, waiting for async replies, meters. */
public final class EmbeddedChannels {
    public static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedChannels() {
    }

    /** A buffer from the default allocator, so the leak detector tracks it. */
    public static ByteBuf tracked(byte[] bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    public static ByteBuf tracked(String utf8) {
        return tracked(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** A text frame over a tracked buffer. */
    public static TextWebSocketFrame textFrame(String text) {
        return new TextWebSocketFrame(tracked(text));
    }

    /**
     * Writes {@code payload} as LocalDelivery pushes it: in a {@link SharedFrame} that lives for the
     * call. The caller keeps its own reference of {@code payload}; the writer takes its own.
     */
    public static void pushShared(FrameWriter writer, ByteBuf payload, ChatEvent event) {
        SharedFrame frame = new SharedFrame(payload.retain());
        try {
            writer.writeShared(frame, event);
        } finally {
            frame.release();
        }
    }

    /** The frame's text as JSON; releases the frame (a text frame, or a pushed frame's wire bytes). */
    public static JsonNode json(Object frame) {
        try {
            return JSON.readTree(text(frame));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    /** The text of a text frame object, or of an unmasked final text frame's wire bytes; does not release. */
    public static String text(Object frame) {
        if (frame instanceof ByteBuf wire) {
            int at = wire.readerIndex();
            assertThat((int) wire.getUnsignedByte(at)).as("a final text frame").isEqualTo(0x81);
            int length = wire.getUnsignedByte(at + 1);
            int header = 2;
            if (length == 126) {
                length = wire.getUnsignedShort(at + 2);
                header = 4;
            } else if (length == 127) {
                length = (int) wire.getLong(at + 2);
                header = 10;
            }
            assertThat(wire.readableBytes()).as("one whole frame").isEqualTo(header + length);
            return wire.toString(at + header, length, StandardCharsets.UTF_8);
        }
        assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
        return ((TextWebSocketFrame) frame).text();
    }

    /**
     * Waits for the next outbound message of the channel. Runs the channel's pending tasks and
     * the given executors' tasks (replies hop there from storage threads) until a message appears
     * or the deadline passes.
     */
    public static <T> T awaitOutbound(EmbeddedChannel channel, Duration timeout, TestThreadExecutor... executors) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (TestThreadExecutor executor : executors) {
                executor.runPending();
            }
            channel.runPendingTasks();
            T message = channel.readOutbound();
            if (message != null) {
                return message;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no outbound message within " + timeout.toMillis() + " ms");
            }
            if (executors.length > 0) {
                executors[0].awaitAndRun(Duration.ofNanos(Math.min(left, Duration.ofMillis(20).toNanos())));
            } else {
                sleep(2);
            }
        }
    }

    /** Every outbound message queued now; the caller releases them. */
    public static List<Object> outbound(EmbeddedChannel channel) {
        List<Object> all = new ArrayList<>();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            all.add(m);
        }
        return all;
    }

    public static void releaseAll(Iterable<?> messages) {
        for (Object m : messages) {
            ReferenceCountUtil.release(m);
        }
    }

    /** A counter's count, 0 when it was never registered. */
    public static double count(MeterRegistry registry, String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
