package io.parley.gateway.limits;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketAllowsTheBurstThenTheRate() {
        TokenBucket bucket = new TokenBucket(3, 2, 0);
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).as("burst spent").isFalse();
        assertThat(bucket.tryTake(SECOND / 4)).as("half a token").isFalse();
        assertThat(bucket.tryTake(SECOND / 2)).as("one token after 1/rate").isTrue();
        assertThat(bucket.tryTake(SECOND / 2)).isFalse();
    }

    @Test
    void refillNeverExceedsTheCapacity() {
        TokenBucket bucket = new TokenBucket(2, 1000, 0);
        long later = 3600 * SECOND;
        assertThat(bucket.tryTake(later)).isTrue();
        assertThat(bucket.tryTake(later)).isTrue();
        assertThat(bucket.tryTake(later)).isFalse();
    }

    @Test
    void aBucketCanRefillSlowerThanOnceASecond() {
        TokenBucket bucket = TokenBucket.oneEvery(Duration.ofSeconds(6), 2, 0);
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(0)).isTrue();
        assertThat(bucket.tryTake(5 * SECOND)).as("not a whole token yet").isFalse();
        assertThat(bucket.tryTake(6 * SECOND)).isTrue();
        assertThat(bucket.tryTake(6 * SECOND)).isFalse();
    }
}
