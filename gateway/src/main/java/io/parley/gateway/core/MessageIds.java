package io.parley.gateway.core;

import java.time.Clock;

/**
 * Message ids, unique across the cluster and ordered by creation time (a "snowflake") that fit
 * in 53 bits, so JavaScript clients, whose numbers are doubles, read them exactly: 41 bits of
 * milliseconds since {@link #EPOCH_MILLIS}, 5 bits of node id, 7 bits of a per-millisecond
 * counter. 128 ids per millisecond per node (128k/s); when a millisecond runs out the generator
 * moves on to the next one (it borrows time rather than blocking), and it never goes back when
 * the wall clock does.
 */
public final class MessageIds {
    /** 2024-01-01T00:00:00Z: 41 bits of milliseconds last until 2093. */
    public static final long EPOCH_MILLIS = 1_704_067_200_000L;
    private static final int NODE_BITS = 5;
    public static final int MAX_NODE_ID = (1 << NODE_BITS) - 1;
    private static final int COUNTER_BITS = 7;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;

    private final long nodeBits;
    private final Clock clock;
    private long lastMillis;
    private long counter;

    public MessageIds(int nodeId, Clock clock) {
        if (nodeId < 0 || nodeId >= 1 << NODE_BITS) {
            throw new IllegalArgumentException("node id must be 0.." + ((1 << NODE_BITS) - 1) + ", got " + nodeId);
        }
        this.nodeBits = (long) nodeId << COUNTER_BITS;
        this.clock = clock;
    }

    public synchronized long next() {
        long now = Math.max(clock.millis() - EPOCH_MILLIS, lastMillis);
        if (now == lastMillis) {
            counter = (counter + 1) & COUNTER_MASK;
            if (counter == 0) {
                now = lastMillis + 1;
            }
        } else {
            counter = 0;
        }
        lastMillis = now;
        return (now << (NODE_BITS + COUNTER_BITS)) | nodeBits | counter;
    }

    /** The id of the node that handed out this id. */
    public static int nodeOf(long id) {
        return (int) (id >>> COUNTER_BITS) & MAX_NODE_ID;
    }

    /** The creation time encoded in an id, in epoch milliseconds. */
    public static long millisOf(long id) {
        return (id >>> (NODE_BITS + COUNTER_BITS)) + EPOCH_MILLIS;
    }
}
