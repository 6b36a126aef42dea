package io.parley.loadtest.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When in an open-loop phase the late messages were due: per 100 ms of due time, the worst
 * lateness and how many messages were later than a threshold. A p99 set by a few stalls (a slow
 * commit, a GC pause) shows as a few bad windows, steady queueing as many; and the windows' wall
 * times can be matched with the servers' logs (GC, checkpoints). Safe from any thread.
 */
final class LatenessTimeline {
    static final long WINDOW_NANOS = 100_000_000L;

    private final Instant wallStart;
    private final long startStamp;
    private final long durationNanos;
    private final long thresholdMicros;
    private final AtomicLongArray worstMicros;
    private final AtomicLongArray over;

    /**
     * @param startStamp the phase's first due time, in the stamps' clock
     * @param durationNanos the phase's length: messages due outside it (later phases) are not counted
     */
    LatenessTimeline(long startStamp, long durationNanos, long thresholdMicros) {
        this.wallStart = Instant.now();
        this.startStamp = startStamp;
        this.durationNanos = durationNanos;
        this.thresholdMicros = thresholdMicros;
        int windows = (int) Math.max(1, (durationNanos + WINDOW_NANOS - 1) / WINDOW_NANOS);
        this.worstMicros = new AtomicLongArray(windows);
        this.over = new AtomicLongArray(windows);
    }

    void record(long dueStamp, long latenessMicros) {
        long sinceStart = dueStamp - startStamp;
        if (sinceStart < 0 || sinceStart >= durationNanos) {
            return;
        }
        int window = (int) (sinceStart / WINDOW_NANOS);
        worstMicros.accumulateAndGet(window, latenessMicros, Math::max);
        if (latenessMicros > thresholdMicros) {
            over.incrementAndGet(window);
        }
    }

    /**
     * E.g. {@code 1,210 late (> 15 ms) in 9 of 100 windows of 100 ms; worst: 22:21:23.4 61.7 ms (540 late) ...}:
     * the {@code top} windows with the worst lateness, by wall time of their start.
     */
    String summary(int top) {
        long late = 0;
        int lateWindows = 0;
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < over.length(); i++) {
            late += over.get(i);
            if (over.get(i) > 0) {
                lateWindows++;
            }
            windows.add(i);
        }
        windows.sort(Comparator.comparingLong(worstMicros::get).reversed());
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%,d late (> %d ms) in %d of %d windows of 100 ms;"
                + " worst:", late, thresholdMicros / 1000, lateWindows, over.length()));
        for (int i : windows.subList(0, Math.min(top, windows.size()))) {
            out.append(String.format(Locale.ROOT, " %s %.1f ms (%d late)",
                    wallStart.plusNanos(i * WINDOW_NANOS).toString().substring(11, 21), worstMicros.get(i) / 1e3, over.get(i)));
        }
        return out.toString();
    }
}
