package io.parley.loadtest.bench;

import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FanoutLoadPacerTest {

    @Test
    void sendsEveryMessageInOrderOnTheLoopNoneBeforeItIsDue() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            List<long[]> sent = new CopyOnWriteArrayList<>(); // k, due, sent at, on the loop (1/0)
            long interval = TimeUnit.MILLISECONDS.toNanos(1);
            long start = System.nanoTime();
            FanoutLoad.Pacer pacer = new FanoutLoad.Pacer(loop, text -> {
                String[] kDue = text.split("@");
                sent.add(new long[] {Long.parseLong(kDue[0]), Long.parseLong(kDue[1]), System.nanoTime(),
                        loop.inEventLoop() ? 1 : 0});
            }, (k, due) -> k + "@" + due, start, interval, 20);

            loop.execute(pacer::tick);
            pacer.done.get(10, TimeUnit.SECONDS);

            assertThat(sent).hasSize(20);
            for (int k = 0; k < sent.size(); k++) {
                long[] s = sent.get(k);
                assertThat(s[0]).isEqualTo(k);
                assertThat(s[1]).as("due time carried in the frame").isEqualTo(start + k * interval);
                assertThat(s[2]).as("never sent early").isGreaterThanOrEqualTo(s[1]);
                assertThat(s[3]).as("sent on the sockets' loop").isEqualTo(1);
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
