package io.parley.gateway.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Last seen on a single node, in memory, written as this node's sessions change (it listens to
 * the {@link SessionRegistry}). Bounded: at most {@code capacity} users; past it the user seen
 * longest ago is forgotten, and their last seen reads as unknown from then on. Not kept across a
 * restart: after one, users not seen since read as unknown.
 */
public final class LocalLastSeen implements LastSeenRecords, HostedUserListener {
    private static final CompletableFuture<Boolean> NOT_ELSEWHERE = CompletableFuture.completedFuture(false);

    private final int capacity;
    private final Clock clock;
    private final Counter evicted;
    /** Oldest last seen first (a user seen again moves to the end). Guarded by itself. */
    private final LinkedHashMap<String, LastSeen> seen = new LinkedHashMap<>();

    public LocalLastSeen(int capacity, Clock clock, MeterRegistry registry) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
        Gauge.builder("parley.presence.last.seen.users", this, LocalLastSeen::size)
                .description("Users whose last seen this node keeps in memory (single node; bounded by"
                        + " presence_last_seen_capacity)")
                .register(registry);
        this.evicted = Counter.builder("parley.presence.last.seen.evicted")
                .description("Last seen entries forgotten to stay within presence_last_seen_capacity, oldest first")
                .register(registry);
    }

    public int size() {
        synchronized (seen) {
            return seen.size();
        }
    }

    @Override
    public CompletableFuture<Map<String, LastSeen>> of(Collection<String> userIds) {
        Map<String, LastSeen> found = new HashMap<>();
        synchronized (seen) {
            for (String user : userIds) {
                LastSeen last = seen.get(user);
                if (last != null) {
                    found.put(user, last);
                }
            }
        }
        return CompletableFuture.completedFuture(found);
    }

    // --- HostedUserListener: a user stops being shown here ---

    @Override
    public CompletableFuture<Boolean> firstOpened(String userId) {
        return NOT_ELSEWHERE;
    }

    @Override
    public CompletableFuture<Boolean> lastClosed(String userId, boolean wasShown) {
        if (wasShown) {
            record(userId, LastSeen.Reason.CLOSED);
        }
        return NOT_ELSEWHERE;
    }

    @Override
    public void shownChanged(String userId, boolean shown, boolean byClose) {
        if (!shown) {
            record(userId, byClose ? LastSeen.Reason.CLOSED : LastSeen.Reason.HIDDEN);
        }
    }

    void record(String userId, LastSeen.Reason reason) {
        LastSeen now = new LastSeen(clock.instant().truncatedTo(ChronoUnit.MILLIS), reason);
        int forgotten = 0;
        synchronized (seen) {
            seen.remove(userId); // to the end: the order is the order last seen
            seen.put(userId, now);
            for (Iterator<String> oldest = seen.keySet().iterator(); seen.size() > capacity; forgotten++) {
                oldest.next();
                oldest.remove();
            }
        }
        if (forgotten > 0) {
            evicted.increment(forgotten);
        }
    }
}
