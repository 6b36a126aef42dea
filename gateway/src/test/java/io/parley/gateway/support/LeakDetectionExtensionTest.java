package io.parley.gateway.support;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.gateway.websocket.IdleSweeps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak check itself: a buffer that is never released is reported, so handler tests that
 * register {@link LeakDetectionExtension} would fail. Not registered here: this class leaks on purpose.
 */
class LeakDetectionExtensionTest {

    @BeforeEach
    void clean() {
        LeakDetectionExtension.install();
        LeakDetectionExtension.provokeReports(2);
        LeakDetectionExtension.drain();
    }

    @AfterEach
    void forgetOwnLeaks() {
        LeakDetectionExtension.provokeReports(2);
        LeakDetectionExtension.drain();
    }

    @Test
    void anUnreleasedBufferIsReported() {
        leakOneBuffer();

        List<String> leaks = awaitLeaks();

        assertThat(leaks).isNotEmpty();
        assertThat(leaks.get(0)).startsWith("LEAK: ByteBuf.release() was not called");
        assertThat(String.join("\n", leaks)).as("paranoid records name the leaking code").contains("leakOneBuffer");
    }

    @Test
    void aFrameReadFromAChannelAndNotReleasedIsReported() {
        readPongWithoutReleasingIt();

        assertThat(awaitLeaks()).isNotEmpty();
    }

    @Test
    void releasedBuffersAreNotReported() {
        ByteBufAllocator.DEFAULT.buffer(16).writeLong(1).release();

        LeakDetectionExtension.provokeReports(3);

        assertThat(LeakDetectionExtension.drain()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.buffer(32).writeLong(42);
    }

    private static void readPongWithoutReleasingIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlFrameHandler(new GatewayMetrics(new SimpleMeterRegistry()),
                new IdleSweeps(Duration.ofMinutes(1))));
        channel.writeInbound(new PingWebSocketFrame(EmbeddedChannels.tracked("ping")));
        Object pong = channel.readOutbound();
        assertThat(pong).isNotNull(); // and never released
        channel.finish();
    }

    private static List<String> awaitLeaks() {
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < 10 && leaks.isEmpty(); i++) {
            LeakDetectionExtension.provokeReports(1);
            leaks.addAll(LeakDetectionExtension.drain());
        }
        return leaks;
    }
}
