package io.parley.gateway.webhook;

import io.parley.gateway.support.WebhookReceiver;
import io.parley.gateway.support.WebhookReceiver.Mode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sender against a real receiver: each way an attempt can end, and connections reused. */
class WebhookSenderTest {

    private static WebhookSender sender(WebhookReceiver receiver, Duration timeout) {
        return new WebhookSender(new WebhookOptions(URI.create(receiver.url()), WebhookDeliveryTest.SECRET, 3, timeout,
                2, Duration.ofSeconds(1)), Clock.systemUTC());
    }

    private static Attempt post(WebhookSender sender, long id) throws Exception {
        byte[] body = ("{\"id\":\"" + id + "\",\"type\":\"chat.closed\",\"data\":{}}").getBytes(StandardCharsets.UTF_8);
        return sender.post(id, body).get(10, TimeUnit.SECONDS);
    }

    @Test
    void everyWayAnAttemptEnds() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start(); WebhookSender sender = sender(receiver, Duration.ofMillis(500))) {
            for (long id = 1; id <= 5; id++) {
                assertThat(post(sender, id).delivered()).as("2xx, on kept-alive connections").isTrue();
            }
            assertThat(receiver.deliveredIds()).containsExactly("1", "2", "3", "4", "5");
            assertThat(receiver.received()).allSatisfy(r -> assertThat(r.signature()).startsWith("t="));

            receiver.mode(Mode.FAIL);
            Attempt failed = post(sender, 6);
            assertThat(failed.reason()).isEqualTo(Attempt.STATUS);
            assertThat(failed.error()).isEqualTo("HTTP 500");

            receiver.mode(Mode.HOLD);
            assertThat(post(sender, 7).reason()).as("no answer within the timeout").isEqualTo(Attempt.TIMEOUT);
            receiver.mode(Mode.ACCEPT);

            receiver.stop();
            assertThat(post(sender, 8).reason()).as("refused").isEqualTo(Attempt.CONNECTION);
            receiver.restart();
            assertThat(post(sender, 9).delivered()).as("a new connection once it is back").isTrue();
        }
    }
}
