package io.parley.gateway.core;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageIdsTest {

    @Test
    void idsAreUniqueIncreasingAndSafeForJavaScript() {
        MessageIds ids = new MessageIds(31, Clock.systemUTC());
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        for (int i = 0; i < 100_000; i++) {
            long id = ids.next();
            assertThat(id).isGreaterThan(previous).isLessThan(1L << 53);
            assertThat(seen.add(id)).isTrue();
            previous = id;
        }
    }

    @Test
    void idsCarryTheirCreationTimeAndNeverGoBackWithTheClock() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        MessageIds ids = new MessageIds(0, clock);
        long first = ids.next();
        assertThat(MessageIds.millisOf(first)).isEqualTo(clock.millis());
        clock.now = clock.now.minusSeconds(5);
        assertThat(ids.next()).isGreaterThan(first);
    }

    @Test
    void twoNodesNeverCollideInTheSameMillisecond() {
        Clock fixed = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
        MessageIds a = new MessageIds(1, fixed);
        MessageIds b = new MessageIds(2, fixed);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(a.next())).isTrue();
            assertThat(seen.add(b.next())).isTrue();
        }
    }

    @Test
    void nodeIdMustFitItsBits() {
        assertThatThrownBy(() -> new MessageIds(32, Clock.systemUTC())).hasMessageContaining("0..31");
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
