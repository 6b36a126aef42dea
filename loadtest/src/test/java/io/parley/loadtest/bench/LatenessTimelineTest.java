package io.parley.loadtest.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LatenessTimelineTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void countsLateMessagesPerWindowOfDueTimeAndNamesTheWorstWindows() {
        long start = 5_000 * MS;
        LatenessTimeline timeline = new LatenessTimeline(start, 1_000 * MS, 15_000);
        timeline.record(start + 100 * MS, 3_000);   // window 1, on time
        timeline.record(start + 250 * MS, 40_000);  // window 2
        timeline.record(start + 299 * MS, 20_000);  // window 2
        timeline.record(start + 700 * MS, 16_000);  // window 7
        timeline.record(start + 999 * MS, 50_000);  // window 9, the last
        timeline.record(start + 1_000 * MS, 90_000); // due after the phase (the next one's): not counted
        timeline.record(start - 1, 90_000);          // due before it: not counted

        String summary = timeline.summary(3);

        assertThat(summary).startsWith("4 late (> 15 ms) in 3 of 10 windows of 100 ms; worst:");
        assertThat(summary).containsSubsequence("50.0 ms (1 late)", "40.0 ms (2 late)", "16.0 ms (1 late)");
        assertThat(summary).doesNotContain("3.0 ms").doesNotContain("90.0 ms");
    }
}
