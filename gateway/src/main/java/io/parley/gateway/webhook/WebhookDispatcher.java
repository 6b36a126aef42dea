package io.parley.gateway.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.storage.HistoryService;
import io.parley.storage.OutboxEntry;
import io.parley.storage.WebhookBacklog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers the webhook outbox: one poller thread ({@code parley-webhook-poller}) claims due
 * events through the {@link HistoryService} (never on an event loop) and hands each to the
 * {@link WebhookSender}; at most {@code webhook_concurrency} events are in flight, counted from
 * the claim to the recording of the outcome, so neither requests nor store calls pile up behind a
 * slow receiver. A 2xx deletes the event; anything else records the failure and when to try again
 * ({@link RetrySchedule}), or keeps it as a dead letter. Deliveries are recorded in batches: the
 * 2xx answers that arrive while one deletion is in the store go in the next, as one call (at 1,000
 * events/s, one store call per event was most of the webhook's cost). Claims are leases: events of a node that
 * dies, or that stops before an answer, fall due again (at least once; receivers dedupe by id).
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** Idle wait between two claims that found less than they could take, unless nudged. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    /** How often the outbox's size and oldest event are read for the gauges. */
    private static final Duration BACKLOG_INTERVAL = Duration.ofSeconds(2);
    /** Most events per claim: one claim is one short transaction, however many permits are free. */
    private static final int MAX_CLAIM = 256;
    /** How long requests in flight may finish at stop; after it their leases simply lapse. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final WebhookOptions options;
    private final HistoryService history;
    private final WebhookSender sender;
    private final RetrySchedule retries;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final Semaphore slots;
    private final CountDownLatch stopping = new CountDownLatch(1);
    /** At most one permit: an event committed here since the last claim ({@link #nudge}). */
    private final Semaphore wake = new Semaphore(0);
    /** Delivered events whose deletion is not in the store yet; each still holds its slot. */
    private final ConcurrentLinkedQueue<Long> delivered = new ConcurrentLinkedQueue<>();
    /** Whether a deletion call is in the store: the next waits for it and takes what gathered meanwhile. */
    private final AtomicBoolean recordingDelivered = new AtomicBoolean();
    private final Thread poller;
    private long nextBacklogNanos = System.nanoTime();

    private WebhookDispatcher(WebhookOptions options, HistoryService history, MeterRegistry registry, Clock clock) {
        this.options = options;
        this.history = history;
        this.clock = clock;
        this.slots = new Semaphore(options.concurrency());
        this.sender = new WebhookSender(options, clock);
        this.retries = new RetrySchedule(options.maxAttempts(), options.backoffMax());
        this.metrics = new WebhookMetrics(registry, clock, () -> options.concurrency() - slots.availablePermits(),
                options.concurrency());
        this.poller = new Thread(this::run, "parley-webhook-poller");
        poller.setDaemon(true);
    }

    /** Starts delivering; close the returned dispatcher before the history service. */
    public static WebhookDispatcher start(WebhookOptions options, HistoryService history, MeterRegistry registry,
                                          Clock clock) {
        WebhookDispatcher dispatcher = new WebhookDispatcher(options, history, registry, clock);
        dispatcher.poller.start();
        log.info("webhooks: delivering the outbox with {}", options);
        return dispatcher;
    }

    /**
     * An event was just committed on this node: claim now instead of at the next poll, so that
     * the delivery lag is the request's, not the poll interval's. Events committed on other
     * nodes (or by nothing that nudges) are found by the poll.
     */
    public void nudge() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void run() {
        while (stopping.getCount() > 0) {
            try {
                refreshBacklogWhenDue();
                int taken = takeSlots();
                if (taken == 0) {
                    continue;
                }
                if (stopping.getCount() == 0) { // no new claims once stopping
                    slots.release(taken);
                    return;
                }
                int claimed = claimAndSend(taken);
                if (claimed < taken) { // all due events are out: wait for a nudge or the next poll
                    wake.tryAcquire(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                return; // stopping
            } catch (RuntimeException e) { // never let the poller die: the outbox would only grow
                log.warn("webhooks: poll failed, trying again in {}", POLL_INTERVAL, e);
                sleepQuietly();
            }
        }
    }

    /**
     * Waits for free slots: a quarter of them, so that a busy receiver is fed in batches rather
     * than one claim per answer; or, after a poll interval, whatever is free. 0 when none is.
     */
    private int takeSlots() throws InterruptedException {
        int batch = Math.max(1, options.concurrency() / 4);
        if (!slots.tryAcquire(batch, POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
            if (!slots.tryAcquire()) {
                return 0;
            }
            batch = 1;
        }
        int taken = batch + slots.drainPermits();
        if (taken > MAX_CLAIM) {
            slots.release(taken - MAX_CLAIM);
            taken = MAX_CLAIM;
        }
        return taken;
    }

    /** Claims up to {@code taken} events and sends each; returns how many it claimed. */
    private int claimAndSend(int taken) throws InterruptedException {
        List<OutboxEntry> claimed;
        try {
            Instant now = clock.instant();
            Instant until = now.plus(options.lease());
            claimed = await(history.call("webhook_claim", store -> store.claimWebhooks(now, until, taken)));
        } catch (InterruptedException e) { // stopping: whatever the store claims now just lapses
            slots.release(taken);
            throw e;
        } catch (ExecutionException | TimeoutException e) {
            slots.release(taken);
            log.warn("webhooks: cannot claim events ({}); trying again in {}", rootMessage(e), POLL_INTERVAL);
            return 0;
        }
        slots.release(taken - claimed.size());
        for (OutboxEntry entry : claimed) {
            send(entry);
        }
        return claimed.size();
    }

    /** Sends one claimed event; its slot is given back once the outcome is recorded (or failed to be). */
    private void send(OutboxEntry entry) {
        long id = entry.event().id();
        byte[] body;
        try {
            body = WebhookPayload.body(entry);
        } catch (IllegalArgumentException e) { // it would fail the same way every time
            record(entry, new Attempt(Attempt.STATUS, e.getMessage()), true);
            return;
        }
        sender.post(id, body).thenAccept(attempt -> record(entry, attempt, false));
    }

    private void record(OutboxEntry entry, Attempt attempt, boolean hopeless) {
        long id = entry.event().id();
        if (attempt.delivered()) {
            metrics.delivered(entry.event().createdAt());
            delivered.add(id);
            recordDelivered();
            return;
        }
        int attempts = entry.attempts() + 1;
        boolean dead = hopeless || retries.exhausted(attempts);
        if (!hopeless) {
            metrics.failed(attempt.reason());
        }
        Instant retryAt = clock.instant().plus(retries.waitAfter(attempts));
        if (dead) {
            metrics.dead();
            log.warn("webhooks: event {} ({}) is a dead letter after {} attempt(s): {}", id, entry.event().type(),
                    attempts, attempt.error());
        } else {
            log.debug("webhooks: event {} attempt {} failed ({}), next at {}", id, attempts, attempt.error(), retryAt);
        }
        release(history.call("webhook_failed", store -> {
            store.webhookFailed(id, attempts, retryAt, attempt.error(), dead);
            return null;
        }), id);
    }

    /**
     * Deletes the delivered events gathered so far in one store call, unless one is in the store
     * already (it starts the next when it ends); their slots come back when it is done.
     */
    private void recordDelivered() {
        while (!delivered.isEmpty() && recordingDelivered.compareAndSet(false, true)) {
            List<Long> ids = new ArrayList<>();
            for (Long id; ids.size() < MAX_CLAIM && (id = delivered.poll()) != null; ) {
                ids.add(id);
            }
            if (ids.isEmpty()) {
                recordingDelivered.set(false);
                continue;
            }
            CompletableFuture<Void> recorded = history.call("webhook_delivered", store -> {
                store.webhookDelivered(ids);
                return null;
            });
            recorded.whenComplete((ignored, failure) -> {
                slots.release(ids.size());
                if (failure != null) {
                    log.warn("webhooks: delivery of {} event(s) from {} not recorded ({}); they are sent again when"
                            + " their claims lapse", ids.size(), ids.get(0), rootMessage(failure));
                }
                recordingDelivered.set(false);
                if (!delivered.isEmpty()) {
                    recordDelivered();
                }
            });
            return;
        }
    }

    /**
     * Gives the event's slot back when the store has its outcome. If the store refused (queue
     * full, down), the claim lapses and the event is sent again: at least once.
     */
    private void release(CompletableFuture<Void> recorded, long id) {
        recorded.whenComplete((ignored, failure) -> {
            slots.release();
            if (failure != null) {
                log.warn("webhooks: outcome of event {} not recorded ({}); it is sent again when its claim lapses",
                        id, rootMessage(failure));
            }
        });
    }

    private void refreshBacklogWhenDue() throws InterruptedException {
        if (System.nanoTime() - nextBacklogNanos < 0) {
            return;
        }
        nextBacklogNanos = System.nanoTime() + BACKLOG_INTERVAL.toNanos();
        try {
            WebhookBacklog backlog = await(history.call("webhook_backlog", store -> store.webhookBacklog()));
            metrics.backlog(backlog);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("webhooks: cannot read the outbox's size ({})", rootMessage(e));
        }
    }

    /** The history call has its own deadline; this one only guards against a call that never ends. */
    private <T> T await(CompletableFuture<T> call)
            throws InterruptedException, ExecutionException, TimeoutException {
        return call.get(history.options().operationTimeout().toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS);
    }

    private void sleepQuietly() {
        try {
            stopping.await(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    /**
     * Stops claiming, gives the requests in flight up to {@link #STOP_GRACE} (at most the request
     * timeout) to finish and be recorded, then stops the sender. Events still in flight after it
     * are delivered again when their claims lapse.
     */
    @Override
    public void close() {
        stopping.countDown();
        wake.release(); // not an interrupt: a claim in progress finishes and its events are sent,
        // rather than stay claimed, undelivered, until the claim lapses
        try {
            poller.join(STOP_GRACE.toMillis());
            if (poller.isAlive()) {
                poller.interrupt(); // a store call that hangs: its claim lapses
                poller.join(STOP_GRACE.toMillis());
            }
            Duration grace = options.timeout().compareTo(STOP_GRACE) < 0 ? options.timeout() : STOP_GRACE;
            if (!slots.tryAcquire(options.concurrency(), grace.toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                log.info("webhooks: {} request(s) still in flight at stop; delivered again after their claims lapse",
                        options.concurrency() - slots.availablePermits());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sender.close();
        }
    }
}
