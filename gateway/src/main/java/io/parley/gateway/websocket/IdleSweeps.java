package io.parley.gateway.websocket;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The idle checks of every connection, one timer per event loop: each loop's sweep looks at its
 * connections {@value #CHECKS_PER_HALF} times per half idle timeout, where Netty's
 * {@code IdleStateHandler} keeps a handler, a pipeline context and a scheduled task on every
 * socket, which on a node of idle sockets is much of its memory. What idleness leads to is
 * {@link ControlFrameHandler}'s: a ping after half the timeout without a frame from the client,
 * 1001 after the whole of it; either comes at most one sweep period late.
 */
public final class IdleSweeps {
    private static final int CHECKS_PER_HALF = 4;

    private final long halfNanos;
    private final Map<EventExecutor, Sweep> byLoop = new ConcurrentHashMap<>();

    public IdleSweeps(Duration idleTimeout) {
        this.halfNanos = idleTimeout.toNanos() / 2;
    }

    /** Watches {@code connection} from now on; on its event loop. */
    void watch(ControlFrameHandler connection, EventExecutor loop) {
        byLoop.computeIfAbsent(loop, Sweep::new).add(connection);
    }

    /** Stops watching {@code connection}; on its event loop, harmless if it was not watched. */
    void unwatch(ControlFrameHandler connection, EventExecutor loop) {
        Sweep sweep = byLoop.get(loop);
        if (sweep != null) {
            sweep.remove(connection);
        }
    }

    /** The loop's clock, which a test's embedded channel can stop and move. */
    static Ticker tickerOf(EventExecutor loop) {
        return loop instanceof AbstractScheduledEventExecutor scheduled ? scheduled.ticker() : Ticker.systemTicker();
    }

    /** One loop's watched connections; touched by that loop only. */
    private final class Sweep {
        private final EventExecutor loop;
        private final Ticker ticker;
        private final List<ControlFrameHandler> connections = new ArrayList<>();
        private ScheduledFuture<?> timer;

        Sweep(EventExecutor loop) {
            this.loop = loop;
            this.ticker = tickerOf(loop);
        }

        void add(ControlFrameHandler connection) {
            if (connection.sweepIndex >= 0) {
                return;
            }
            connection.sweepIndex = connections.size();
            connections.add(connection);
            if (timer == null) {
                long period = Math.max(1, halfNanos / CHECKS_PER_HALF);
                timer = loop.scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
            }
        }

        /** Swaps the last connection into the removed one's place; the sweep ends with its last connection. */
        void remove(ControlFrameHandler connection) {
            int index = connection.sweepIndex;
            if (index < 0 || index >= connections.size() || connections.get(index) != connection) {
                return;
            }
            ControlFrameHandler last = connections.remove(connections.size() - 1);
            if (last != connection) {
                connections.set(index, last);
                last.sweepIndex = index;
            }
            connection.sweepIndex = -1;
            if (connections.isEmpty()) {
                timer.cancel(false);
                timer = null;
                byLoop.remove(loop, this);
            }
        }

        private void check() {
            long now = ticker.nanoTime();
            // Backwards: a connection that closes while checked leaves the list at once, and the
            // one swapped into its place was checked already.
            for (int i = connections.size() - 1; i >= 0; i--) {
                if (i < connections.size()) {
                    connections.get(i).checkIdle(now, halfNanos);
                }
            }
        }
    }
}
