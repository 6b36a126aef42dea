package io.parley.gateway.webhook;

import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.config.UrlCredentials;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import static io.parley.gateway.config.Settings.WEBHOOK_BACKOFF_MAX;
import static io.parley.gateway.config.Settings.WEBHOOK_CONCURRENCY;
import static io.parley.gateway.config.Settings.WEBHOOK_MAX_ATTEMPTS;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_TIMEOUT;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;

/**
 * The webhook's configuration, from the {@code webhook_*} keys.
 *
 * @param maxAttempts attempts per event before it is a dead letter
 * @param timeout     per request, connect and answer together
 * @param concurrency requests in flight at most
 * @param backoffMax  longest wait between two attempts
 */
public record WebhookOptions(URI url, String secret, int maxAttempts, Duration timeout, int concurrency,
                             Duration backoffMax) {
    public WebhookOptions {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (maxAttempts < 1 || concurrency < 1) {
            throw new IllegalArgumentException("maxAttempts and concurrency must be positive");
        }
    }

    /** The options, or {@code null} when {@code webhook_url} is not set (webhooks off). */
    public static WebhookOptions from(ParleyConfig config) {
        String url = config.get(WEBHOOK_URL);
        if (url == null) {
            return null;
        }
        return new WebhookOptions(URI.create(url), config.get(WEBHOOK_SECRET), config.get(WEBHOOK_MAX_ATTEMPTS),
                config.get(WEBHOOK_TIMEOUT), config.get(WEBHOOK_CONCURRENCY), config.get(WEBHOOK_BACKOFF_MAX));
    }

    /**
     * How long a claim on an event lasts: the request and the recording of its outcome must fit
     * in it, else another claim may deliver the event a second time (allowed: at least once).
     */
    public Duration lease() {
        return timeout.multipliedBy(2).plusSeconds(10);
    }

    @Override
    public String toString() { // never the secret, nor a password or token in the URL
        return "WebhookOptions[url=" + UrlCredentials.hidden(url.toString()) + ", maxAttempts=" + maxAttempts
                + ", timeout=" + timeout + ", concurrency=" + concurrency + ", backoffMax=" + backoffMax + "]";
    }
}
