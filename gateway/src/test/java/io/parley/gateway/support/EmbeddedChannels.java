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

    /** The frame's text as JSON; releases the frame. */
    public static JsonNode json(Object frame) {
        assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
        TextWebSocketFrame text = (TextWebSocketFrame) frame;
        try {
            return JSON.readTree(text.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            text.release();
        }
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
