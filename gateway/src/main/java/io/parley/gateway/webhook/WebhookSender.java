package io.parley.gateway.webhook;

import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * POSTs one event body to the receiver with the JDK's {@link HttpClient}: asynchronous, so a
 * request in flight holds no thread; its completions run on two threads of its own
 * ({@code parley-webhook-N}), never on an event loop. How many requests are in flight is the
 * dispatcher's to bound.
 */
public final class WebhookSender implements AutoCloseable {
    static final String EVENT_ID_HEADER = "Parley-Event-Id";
    private static final int THREADS = 2;

    private final WebhookOptions options;
    private final WebhookSignature signature;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient client;

    public WebhookSender(WebhookOptions options, Clock clock) {
        this.options = options;
        this.signature = new WebhookSignature(options.secret());
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS,
                // Bounded in practice: at most webhook_concurrency requests, each a few tasks.
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "parley-webhook-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.client = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(options.timeout())
                // Plain http: no h2c upgrade dance with every receiver; https negotiates HTTP/2 by ALPN.
                .version("https".equalsIgnoreCase(options.url().getScheme())
                        ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Sends the event; the future never fails, it tells how the attempt ended. */
    public CompletableFuture<Attempt> post(long eventId, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(options.url())
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .header(EVENT_ID_HEADER, Long.toString(eventId))
                .header(WebhookSignature.HEADER, signature.header(clock.instant().getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, failure) -> failure == null ? answered(response.statusCode()) : failed(failure));
        } catch (RuntimeException e) { // e.g. the executor is shut down: the attempt did not happen
            return CompletableFuture.completedFuture(new Attempt(Attempt.CONNECTION, e.toString()));
        }
    }

    private static Attempt answered(int status) {
        return status >= 200 && status < 300 ? Attempt.DELIVERED : new Attempt(Attempt.STATUS, "HTTP " + status);
    }

    private static Attempt failed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        // A connect timeout is the receiver not being there, like a refused connection: both count
        // as "connection", as do resets, TLS and DNS failures.
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return new Attempt(Attempt.TIMEOUT, cause.toString());
        }
        return new Attempt(Attempt.CONNECTION, cause.toString());
    }

    /** Stops the threads; a request still in flight then ends as it may (its claim lapses). */
    @Override
    public void close() {
        executor.shutdown();
    }
}
