package io.parley.loadtest.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Pairs playing ping-pong through a server, whatever the server: side A of each pair sends a
 * ping carrying its {@link System#nanoTime()} stamp, side B answers each ping with a pong carrying
 * the same stamp, and A, on the pong, records the round trip and sends the next ping. One ping in
 * flight per pair, so the rate is round trips per second at {@code pairs} in flight.
 *
 * <p>A server may also send a side its own messages back (an acknowledgement): each side acts only
 * on text marked as the other side's ({@code ~from-a~} / {@code ~from-b~}).
 */
final class PingPongLoad {
    private static final ByteBuf FROM_A = marker("~from-a~");
    private static final ByteBuf FROM_B = marker("~from-b~");
    private static final ByteBuf ERROR = marker("error");

    /** The frame a side sends in its pair: {@code text} inside whatever the server expects. */
    @FunctionalInterface
    interface Frames {
        String frame(int pair, String text);
    }

    private final Frames frames;
    /** Round-trip time in microseconds, up to a minute. */
    private final Recorder roundTrips = new Recorder(60_000_000L, 3);
    private final LongAdder completed = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile boolean pinging = true;

    PingPongLoad(Frames frames) {
        this.frames = frames;
    }

    private static ByteBuf marker(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Side A of {@code pair}: sends the next ping on each pong while pinging. */
    LoadClient.Listener pinger(int pair) {
        return (connection, payload, nanos) -> {
            if (ByteBufUtil.indexOf(FROM_B, payload) < 0) {
                countError(payload);
                return;
            }
            long sent = FanoutLoad.timestamp(payload);
            if (sent >= 0) {
                roundTrips.recordValue(Math.max(1, (nanos - FanoutLoad.ORIGIN - sent) / 1_000));
                completed.increment();
                if (pinging) {
                    ping(connection, pair);
                }
            }
        };
    }

    /** Side B of {@code pair}: answers every ping with the ping's stamp. */
    LoadClient.Listener ponger(int pair) {
        return (connection, payload, nanos) -> {
            if (ByteBufUtil.indexOf(FROM_A, payload) < 0) {
                countError(payload);
                return;
            }
            long sent = FanoutLoad.timestamp(payload);
            if (sent >= 0) {
                connection.send(frames.frame(pair, "pong ~t" + sent + "~ ~from-b~"));
            }
        };
    }

    /**
     * A side's own messages come back as acknowledgements; anything else with "error" in it is
     * counted. A byte search: every acknowledgement passes here, and a String each would cost the
     * client more than the frame itself.
     */
    private void countError(ByteBuf payload) {
        if (ByteBufUtil.indexOf(ERROR, payload) >= 0) {
            errors.increment();
            if (firstError.get() == null) {
                firstError.compareAndSet(null, payload.toString(StandardCharsets.UTF_8));
            }
        }
    }

    void ping(WsConnection pinger, int pair) {
        pinger.send(frames.frame(pair, "ping ~t" + (System.nanoTime() - FanoutLoad.ORIGIN) + "~ ~from-a~"));
    }

    /** Round trips per second over {@code duration}; leaves their times in {@code out}. */
    double measure(Duration duration, Histogram out) throws InterruptedException {
        roundTrips.reset();
        long before = completed.sum();
        long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        double rate = (completed.sum() - before) / ((System.nanoTime() - start) / 1e9);
        out.add(roundTrips.getIntervalHistogram());
        return rate;
    }

    /** Stops new pings and waits (bounded) until the ones in flight came back. */
    void stop() {
        pinging = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = completed.sum();
            if (now == last) {
                return; // nothing came back for a while: the pairs are idle
            }
            last = now;
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    long completed() {
        return completed.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** The first error frame the server sent, for the report; null if none. */
    String firstError() {
        return firstError.get();
    }
}
