package io.parley.loadtest.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One sender, many receivers in this JVM, whatever the server: the sender puts its
 * {@link System#nanoTime()} into each message ({@code ~t<nanos>~}); every receiver finds it in
 * the bytes it gets and records now minus then in an HdrHistogram (one clock, never averaged).
 * The server only has to carry the text through, so Parley and the ideal baseline are measured
 * by the same code on the same sockets.
 */
final class FanoutLoad {
    /**
     * Stamps are nanoTime minus this origin: positive (also for times taken up to a day before
     * this class loaded), and comparable only inside this JVM.
     */
    static final long ORIGIN = System.nanoTime() - java.util.concurrent.TimeUnit.DAYS.toNanos(1);
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\":(\\d+)");
    /** Lateness recorded in microseconds, up to an hour, 3 significant digits. */
    private final Recorder latency = new Recorder(3_600_000_000L, 3);
    /** Striped: every receiving event loop adds to it, and one shared counter line would bounce between cores. */
    private final LongAdder delivered = new LongAdder();
    private final AtomicInteger closedReceivers = new AtomicInteger();
    /** Sends the server refused (an error reply: 429 too many in flight, 503 store): never delivered. */
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, AtomicLong> refusedByCode = new ConcurrentHashMap<>();
    private final int receivers;
    private volatile int lastFrameBytes;
    /** The current or last open-loop phase's timeline; null before the first. */
    private volatile LatenessTimeline timeline;

    FanoutLoad(int receivers) {
        this.receivers = receivers;
    }

    /** The listener every receiving socket uses; {@code other} sees frames without a timestamp (setup replies). */
    LoadClient.Listener receiver(LoadClient.Listener other) {
        return new LoadClient.Listener() {
            @Override
            public void onText(WsConnection connection, ByteBuf payload, long nanos) {
                long sent = timestamp(payload);
                if (sent < 0) {
                    other.onText(connection, payload, nanos);
                    return;
                }
                long micros = Math.max(1, (nanos - ORIGIN - sent) / 1_000);
                latency.recordValue(micros);
                LatenessTimeline phase = timeline;
                if (phase != null) {
                    phase.record(sent, micros);
                }
                int bytes = payload.readableBytes();
                if (bytes != lastFrameBytes) { // a volatile read is cheap, a volatile write per frame is not
                    lastFrameBytes = bytes;
                }
                delivered.increment();
            }

            @Override
            public void onClosed(WsConnection connection) {
                closedReceivers.incrementAndGet();
            }
        };
    }

    /**
     * The listener of the sending socket: counts refusals (a reply with {@code "ok":false} and its
     * {@code "code"}), hands every frame to {@code other} (setup replies).
     */
    LoadClient.Listener sender(LoadClient.Listener other) {
        return (connection, payload, nanos) -> {
            String text = WsConnection.text(payload);
            if (text.contains("\"ok\":false")) {
                Matcher code = ERROR_CODE.matcher(text);
                refusedByCode.computeIfAbsent(code.find() ? code.group(1) : "?", k -> new AtomicLong()).incrementAndGet();
                refused.incrementAndGet();
            }
            other.onText(connection, payload, nanos);
        };
    }

    long refused() {
        return refused.get();
    }

    Map<String, AtomicLong> refusedByCode() {
        return refusedByCode;
    }

    int receiversCount() {
        return receivers;
    }

    int lastFrameBytes() {
        return lastFrameBytes;
    }

    long delivered() {
        return delivered.sum();
    }

    /**
     * When the last open-loop phase's late messages were due; "late" is over 15 ms, the strictest
     * latency target in DESIGN.md (cross-node p99).
     */
    LatenessTimeline lastTimeline() {
        return timeline;
    }

    /** Marker text for message {@code k} due at {@code nanos} (a nanoTime): what the content must contain. */
    static String marker(long k, long nanos) {
        return "k" + k + " ~t" + (nanos - ORIGIN) + "~";
    }

    /**
     * Closed loop: message {@code k} goes out once message {@code k - window} reached every
     * receiver, so the server is kept busy without unbounded queues. Returns deliveries/s and
     * leaves the latency of the phase in {@code histogramOut}.
     */
    double closedLoop(Out sender, SendFrame frame, int window, Duration duration,
                      Histogram histogramOut) {
        latency.reset();
        long base = delivered.sum();
        long refusedBase = refused.get();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long k = 0;
        while (System.nanoTime() < end) {
            long oldest = k - window + 1; // every message before this one must be everywhere
            awaitDelivered(base, () -> (oldest - (refused.get() - refusedBase)) * receivers,
                    end + Duration.ofSeconds(10).toNanos());
            sender.send(frame.text(k, System.nanoTime()));
            k++;
        }
        long count = delivered.sum() - base;
        double rate = count / ((System.nanoTime() - start) / 1e9);
        drain(base, k, refusedBase);
        histogramOut.add(latency.getIntervalHistogram());
        return rate;
    }

    /**
     * Open loop at {@code messagesPerSecond}: message {@code k} is due at {@code start + k/rate}
     * and carries that due time, so a late send counts its lateness (no coordinated omission).
     *
     * <p>The sends run on {@code loop}, the event loop of the sending sockets: each wake-up sends
     * every message due by then and sets a timer for the next. A thread of its own would cost the
     * shared CPU two wake-ups per message (its own, and the socket's loop for the write), which on
     * a 2-core VM was a third of the client's CPU at 10k msg/s.
     */
    Histogram paced(EventLoop loop, Out sender, SendFrame frame, double messagesPerSecond, Duration duration) {
        latency.reset();
        long base = delivered.sum();
        long refusedBase = refused.get();
        long interval = (long) (1e9 / messagesPerSecond);
        long messages = duration.toNanos() / interval;
        long start = System.nanoTime();
        timeline = new LatenessTimeline(start - ORIGIN, duration.toNanos(), 15_000);
        Pacer pacer = new Pacer(loop, sender, frame, start, interval, messages);
        loop.execute(pacer::tick);
        pacer.done.join();
        drain(base, messages, refusedBase);
        return latency.getIntervalHistogram();
    }

    /** The open loop's sender; runs on its event loop only. */
    static final class Pacer {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final EventLoop loop;
        private final Out sender;
        private final SendFrame frame;
        private final long start;
        private final long interval;
        private final long messages;
        private long next;

        Pacer(EventLoop loop, Out sender, SendFrame frame, long start, long interval, long messages) {
            this.loop = loop;
            this.sender = sender;
            this.frame = frame;
            this.start = start;
            this.interval = interval;
            this.messages = messages;
        }

        void tick() {
            try {
                long now = System.nanoTime();
                for (long due = start + next * interval; next < messages && due <= now; due += interval) {
                    sender.send(frame.text(next++, due));
                }
                if (next == messages) {
                    done.complete(null);
                } else {
                    loop.schedule(this::tick, start + next * interval - now, TimeUnit.NANOSECONDS);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }

    /** One probe message must reach exactly every receiver: proves the room before measuring. */
    void probe(Out sender, SendFrame frame) {
        long base = delivered.sum();
        sender.send(frame.text(-1, System.nanoTime()));
        drain(base, 1, refused.get());
        try {
            Thread.sleep(200); // a surplus delivery would show up now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long got = delivered.sum() - base;
        if (got != receivers) {
            throw new IllegalStateException("probe reached " + got + " deliveries, expected " + receivers);
        }
    }

    /**
     * Waits until {@code needed} (re-read each time: refusals may arrive meanwhile) deliveries of
     * this phase arrived; fails after 10 s without progress or at the deadline.
     */
    private void awaitDelivered(long base, LongSupplier needed, long deadline) {
        long last = -1;
        long lastProgress = System.nanoTime();
        while (delivered.sum() - base < needed.getAsLong()) {
            long now = System.nanoTime();
            long progress = delivered.sum() + refused.get();
            if (progress != last) {
                last = progress;
                lastProgress = now;
            } else if (now - lastProgress > Duration.ofSeconds(10).toNanos() || now > deadline) {
                throw new IllegalStateException("stalled at " + (delivered.sum() - base) + " of " + needed.getAsLong()
                        + " deliveries; " + closedReceivers.get() + " receivers closed (a slow consumer gets close"
                        + " 4008); refused sends by code " + refusedByCode);
            }
            // 100 us: far below the time a window of messages takes, and 10,000 wake-ups a second
            // less of the client on the CPU it shares with the servers than 20 us were
            LockSupport.parkNanos(100_000);
        }
    }

    /** Waits (bounded) until every message sent in the phase and not refused has reached every receiver. */
    private void drain(long base, long sent, long refusedBase) {
        awaitDelivered(base, () -> (sent - (refused.get() - refusedBase)) * receivers,
                System.nanoTime() + Duration.ofSeconds(60).toNanos());
    }

    /**
     * Where the sender's frames go: one socket ({@code c::send}) or several in turn (one thread
     * calls it, so a plain counter round-robins).
     */
    @FunctionalInterface
    interface Out {
        void send(String text);
    }

    /** The sender's frame for message {@code k} stamped {@code nanos}: it must contain {@link #marker}. */
    @FunctionalInterface
    interface SendFrame {
        String text(long k, long nanos);
    }

    /** Finds {@code ~t<digits>~} in the bytes; -1 when absent. */
    static long timestamp(ByteBuf payload) {
        int end = payload.writerIndex();
        for (int i = payload.indexOf(payload.readerIndex(), end, (byte) '~'); i >= 0 && i + 1 < end;
             i = payload.indexOf(i + 1, end, (byte) '~')) {
            if (payload.getByte(i + 1) != 't') {
                continue;
            }
            long value = 0;
            int j = i + 2;
            for (; j < end; j++) {
                byte b = payload.getByte(j);
                if (b < '0' || b > '9') {
                    break;
                }
                value = value * 10 + (b - '0');
            }
            if (j > i + 2 && j < end && payload.getByte(j) == '~') {
                return value;
            }
        }
        return -1;
    }
}
