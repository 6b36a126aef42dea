package io.parley.gateway.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Values read from the node's own meters by name (Micrometer's dotted form of what {@code /metrics}
 * exports), so the node view counts nothing twice. A meter that does not exist yet (series appear at
 * their first event) reads as zero or empty.
 */
final class MeterReadings {
    private final MeterRegistry registry;

    MeterReadings(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The sum of every series of a counter (all its tags). */
    double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The sum of the counter's series with {@code tag=value}. */
    double counter(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** A gauge's value per value of {@code tag}, sorted by it. */
    Map<String, Double> gaugesBy(String name, String tag) {
        Map<String, Double> values = new TreeMap<>();
        for (Gauge gauge : registry.find(name).gauges()) {
            String key = gauge.getId().getTag(tag);
            if (key != null) {
                values.merge(key, gauge.value(), Double::sum);
            }
        }
        return values;
    }

    /** A tag of the first series of a meter, or {@code null}. */
    String tag(String name, String tag) {
        var meter = registry.find(name).meter();
        return meter == null ? null : meter.getId().getTag(tag);
    }

    /** A time gauge's value in seconds; 0 when absent. */
    double seconds(String timeGauge) {
        TimeGauge gauge = registry.find(timeGauge).timeGauge();
        return gauge == null ? 0 : gauge.value(TimeUnit.SECONDS);
    }

    /** The timer's count, total, max and histogram buckets (cumulative since start); {@code null} when absent. */
    HistogramSnapshot timer(String name) {
        Timer timer = registry.find(name).timer();
        return timer == null ? null : timer.takeSnapshot();
    }
}
