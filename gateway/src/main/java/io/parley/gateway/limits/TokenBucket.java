package io.parley.gateway.limits;

import java.time.Duration;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled at a fixed rate; one request takes
 * one token. Starts full, so a client may send a burst of {@code capacity} at once. Not
 * thread-safe: one per connection, used on its event loop. Time is passed in (nanoseconds) so
 * tests need no clock. Kept in whole nanoseconds of refill, so a token refilled in pieces is
 * exactly a token (no rounding drift).
 */
public final class TokenBucket {
    private final long nanosPerToken;
    private final long maxCredit;
    /** Refill banked, in nanoseconds: a token per {@code nanosPerToken}. */
    private long credit;
    private long lastNanos;

    public TokenBucket(int capacity, int perSecond, long nowNanos) {
        this(capacity, nanosPerToken(perSecond), nowNanos);
    }

    /** A bucket refilled with one token every {@code interval}: for rates below one a second. */
    public static TokenBucket oneEvery(Duration interval, int capacity, long nowNanos) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be > 0");
        }
        return new TokenBucket(capacity, interval.toNanos(), nowNanos);
    }

    private TokenBucket(int capacity, long nanosPerToken, long nowNanos) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.nanosPerToken = nanosPerToken;
        this.maxCredit = Math.multiplyExact(capacity, nanosPerToken);
        this.credit = maxCredit;
        this.lastNanos = nowNanos;
    }

    private static long nanosPerToken(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("rate must be >= 1");
        }
        return 1_000_000_000L / perSecond;
    }

    /** Takes a token if one is there. */
    public boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            credit = elapsed >= maxCredit - credit ? maxCredit : credit + elapsed;
            lastNanos = nowNanos;
        }
        if (credit >= nanosPerToken) {
            credit -= nanosPerToken;
            return true;
        }
        return false;
    }
}
