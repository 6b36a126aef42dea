package io.parley.loadtest.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class FanoutLoadTest {

    private static long parse(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            return FanoutLoad.timestamp(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void findsTheStampInsideAnyJson() {
        assertThat(parse("{\"name\":\"Event.ReceiveMessage\",\"result\":{\"message\":{\"content\":\"fanout k7 ~t123456~\"}}}"))
                .isEqualTo(123456);
    }

    @Test
    void ignoresFramesWithoutACompleteStamp() {
        assertThat(parse("{\"ok\":true}")).isEqualTo(-1);
        assertThat(parse("~t")).isEqualTo(-1);
        assertThat(parse("~t12")).isEqualTo(-1); // unterminated
        assertThat(parse("~tx~ then ~t42~")).isEqualTo(42);
    }

    @Test
    void markerRoundTrips() {
        long now = System.nanoTime();
        String marker = FanoutLoad.marker(3, now);
        assertThat(marker).startsWith("k3 ~t").endsWith("~");
        assertThat(parse("content " + marker)).isGreaterThanOrEqualTo(0);
    }
}
