package io.parley.gateway.bus;

import org.junit.jupiter.api.Test;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstantTextTest {

    @Test
    void readsWhatInstantToStringWritesAsInstantParseDoes() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("+99999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            // whole seconds, millis, micros and nanos: Instant.toString writes 0, 3, 6 or 9 digits
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(random.nextLong(min, max), nanos);
            assertThat(InstantText.parse(instant.toString())).isEqualTo(instant);
        }
    }

    @Test
    void otherSpellingsAreInstantParses() {
        List<String> texts = List.of("2026-11-23T02:41:33.1Z", "2026-11-23T02:41:33.12345678Z", "2024-02-29T00:00:00Z",
                "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "2026-12-31T23:59:60Z", "2026-11-23T03:41:33+01:00",
                "1970-01-01T00:00:00.000000000Z", "2026-11-23T02:41:33.Z", "2026-01-01T24:00:00Z");
        for (String text : texts) {
            assertThat(InstantText.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void invalidTextFailsAsInInstantParse() {
        List<String> texts = List.of("", "2026-11-23", "2026-11-23T02:41:33",
                "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T25:00:00Z",
                "2026-01-01T00:60:00Z", "2026-01-0xT00:00:00Z", "2026-01-01T00:00:00.1234567890Z",
                "2026-01-01T00:00:00.-1Z", "2026-01-01 00:00:00Z");
        for (String text : texts) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> InstantText.parse(text)).as(text).isInstanceOf(DateTimeException.class);
        }
    }
}
