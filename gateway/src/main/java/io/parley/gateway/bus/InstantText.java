package io.parley.gateway.bus;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Reads the text {@link Instant#toString()} writes, the form bus frames carry
 * ({@code 2026-11-23T02:41:33.123456Z}), by its fixed positions: {@link Instant#parse} goes
 * through DateTimeFormatter's general parser, a visible share of reading a frame. Any other text
 * (a year past 9999, a leap second, an offset, garbage) goes to {@link Instant#parse}, so the
 * result and the exceptions are its.
 */
final class InstantText {
    private static final int SHORTEST = "0000-00-00T00:00:00Z".length();
    private static final int[] NANOS_PER_DIGIT = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000,
            100, 10, 1};

    private InstantText() {
    }

    static Instant parse(String text) {
        int n = text.length();
        if (n < SHORTEST || n > SHORTEST + 10 || n == SHORTEST + 1 || text.charAt(n - 1) != 'Z'
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || n > SHORTEST && text.charAt(19) != '.') {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = n > SHORTEST ? digits(text, 20, n - 1) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return Instant.parse(text);
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        int nanos = n > SHORTEST ? fraction * NANOS_PER_DIGIT[n - 1 - 20] : 0;
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
    }

    /** The decimal number in {@code [from, to)} (at most 9 digits), or -1 if a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int d = text.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
