package io.parley.gateway.webhook;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed event is tried again: the wait doubles from one second (1 s, 2 s, 4 s, ...) up to
 * {@code backoffMax}, and each wait is drawn from its upper half, so that the events of one
 * outage do not all come back in the same instant. After {@code maxAttempts} attempts the event
 * is a dead letter.
 */
public final class RetrySchedule {
    private static final Duration FIRST_WAIT = Duration.ofSeconds(1);

    private final int maxAttempts;
    private final Duration backoffMax;

    public RetrySchedule(int maxAttempts, Duration backoffMax) {
        this.maxAttempts = maxAttempts;
        this.backoffMax = backoffMax;
    }

    /** Whether an event that has failed {@code attempts} times (this one included) is given up. */
    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** The wait after the {@code attempts}-th failed attempt (1-based): in [d/2, d], d = min(1 s × 2^(attempts-1), max). */
    public Duration waitAfter(int attempts) {
        long ceiling = ceilingNanos(attempts);
        long half = ceiling / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    /** The wait's upper bound after the {@code attempts}-th failure, without jitter. */
    long ceilingNanos(int attempts) {
        long max = backoffMax.toNanos();
        long first = Math.min(FIRST_WAIT.toNanos(), max);
        int doublings = Math.max(0, attempts - 1);
        // Past 2^40 s nothing is below any allowed maximum: stop before the shift overflows.
        if (doublings >= 40 || first << doublings >= max || first << doublings <= 0) {
            return max;
        }
        return first << doublings;
    }
}
