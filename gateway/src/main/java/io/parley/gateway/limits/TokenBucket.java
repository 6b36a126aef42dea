package io.parley.gateway.limits;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled at {@code perSecond}; one request
 * takes one token. Starts full, so a client may send a burst of {@code capacity} at once. Not
 * thread-safe: one per connection, used on its event loop. Time is passed in (nanoseconds) so
 * tests need no clock.
 */
public final class TokenBucket {
    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastNanos;

    public TokenBucket(int capacity, int perSecond, long nowNanos) {
        if (capacity < 1 || perSecond < 1) {
            throw new IllegalArgumentException("capacity and rate must be >= 1");
        }
        this.capacity = capacity;
        this.tokensPerNano = perSecond / 1e9;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes a token if one is there. */
    public boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            lastNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
