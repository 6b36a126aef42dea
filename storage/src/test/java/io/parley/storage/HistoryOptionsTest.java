package io.parley.storage;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryOptionsTest {

    @Test
    void defaults() {
        HistoryOptions o = HistoryOptions.defaults();
        assertThat(o.writeQueueCapacity()).isEqualTo(10_000);
        assertThat(o.maxBatchSize()).isEqualTo(500);
        assertThat(o.lingerMicros()).isEqualTo(1_000);
        assertThat(o.readThreads()).isEqualTo(4);
        assertThat(o.readQueueCapacity()).isEqualTo(1_000);
        assertThat(o.operationTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.toString()).contains("writeQueueCapacity=10000", "operationTimeout=5000ms");
    }

    @Test
    void builderRoundTrip() {
        HistoryOptions o = HistoryOptions.builder().writeQueueCapacity(5).maxBatchSize(2).lingerMicros(0)
                .readThreads(1).readQueueCapacity(3).operationTimeout(Duration.ofMillis(50)).build();
        assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
        assertThat(o.toBuilder().readThreads(2).build()).isNotEqualTo(o);
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> HistoryOptions.builder().writeQueueCapacity(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeQueueCapacity")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> HistoryOptions.builder().writeQueueCapacity(Integer.MAX_VALUE).build())
                .hasMessageContaining("got " + Integer.MAX_VALUE);
        assertThatThrownBy(() -> HistoryOptions.builder().maxBatchSize(-1).build())
                .hasMessageContaining("maxBatchSize").hasMessageContaining("got -1");
        assertThatThrownBy(() -> HistoryOptions.builder().lingerMicros(-5).build())
                .hasMessageContaining("lingerMicros").hasMessageContaining("got -5");
        assertThatThrownBy(() -> HistoryOptions.builder().readThreads(0).build())
                .hasMessageContaining("readThreads");
        assertThatThrownBy(() -> HistoryOptions.builder().readQueueCapacity(0).build())
                .hasMessageContaining("readQueueCapacity");
        assertThatThrownBy(() -> HistoryOptions.builder().operationTimeout(Duration.ZERO).build())
                .hasMessageContaining("operationTimeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> HistoryOptions.builder().operationTimeout(null).build())
                .hasMessageContaining("got null");
    }
}
