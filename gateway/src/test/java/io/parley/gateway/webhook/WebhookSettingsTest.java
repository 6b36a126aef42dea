package io.parley.gateway.webhook;

import io.parley.gateway.config.ParleyConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_TIMEOUT;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook keys: off by default, a URL needs a secret, the claim outlasts the request, the waits double. */
class WebhookSettingsTest {

    @Test
    void offUnlessAUrlIsSet() {
        assertThat(WebhookOptions.from(ParleyConfig.defaults())).isNull();
    }

    @Test
    void aUrlNeedsASecretOfAtLeast32Characters() {
        assertThatThrownBy(() -> ParleyConfig.builder().set(WEBHOOK_URL, "https://example.com/hook").build())
                .hasMessageContaining("webhook_url needs webhook_secret");
        assertThatThrownBy(() -> ParleyConfig.builder().set(WEBHOOK_URL, "https://example.com/hook")
                .set(WEBHOOK_SECRET, "short").build())
                .hasMessageContaining("webhook_secret").hasMessageContaining("at least 32 characters");
        assertThatThrownBy(() -> ParleyConfig.builder().set(WEBHOOK_URL, "ftp://example.com/hook")
                .set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET).build())
                .hasMessageContaining("an https:// or http:// URL");
    }

    @Test
    void neitherTheSecretNorTheUrlsCredentialsArePrinted() {
        ParleyConfig config = ParleyConfig.builder()
                .set(WEBHOOK_URL, "https://parley:hunter2@example.com/hook?tenant=7&token=receiver-key")
                .set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET).set(WEBHOOK_TIMEOUT, Duration.ofSeconds(3)).build();
        WebhookOptions options = WebhookOptions.from(config);
        for (String printed : List.of(config.toString(), options.toString())) {
            assertThat(printed).doesNotContain(WebhookDeliveryTest.SECRET).doesNotContain("hunter2")
                    .doesNotContain("receiver-key").contains("example.com/hook?tenant=7&token=***");
        }
        assertThat(options.lease()).isGreaterThan(options.timeout());
    }

    @Test
    void waitsDoubleFromOneSecondUpToTheMaximumWithJitterInTheirUpperHalf() {
        RetrySchedule schedule = new RetrySchedule(16, Duration.ofHours(1));
        assertThat(schedule.ceilingNanos(1)).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(schedule.ceilingNanos(2)).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(schedule.ceilingNanos(12)).isEqualTo(Duration.ofSeconds(2048).toNanos());
        assertThat(schedule.ceilingNanos(13)).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(schedule.ceilingNanos(999)).isEqualTo(Duration.ofHours(1).toNanos());
        for (int i = 0; i < 1_000; i++) {
            assertThat(schedule.waitAfter(3)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
        }
        assertThat(schedule.exhausted(15)).isFalse();
        assertThat(schedule.exhausted(16)).isTrue();
        RetrySchedule capped = new RetrySchedule(3, Duration.ofMillis(100));
        assertThat(capped.ceilingNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
    }
}
