package io.parley.gateway.attachments;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.storage.HistoryService;
import io.parley.storage.StoredAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the files no message carries: uploads never sent within {@code attachment_ttl}, and
 * files whose last message was deleted. Every node collects; the store's conditional delete makes
 * exactly one of them delete each file's row, and only that one deletes its bytes.
 */
public final class AttachmentCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AttachmentCollector.class);
    /** Rows looked at per round; the next round takes the rest. */
    static final int BATCH = 100;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final BlobStore blobs;
    private final HistoryService history;
    private final Counter collected;
    private final Clock clock;
    private final ScheduledExecutorService timer;

    public AttachmentCollector(BlobStore blobs, HistoryService history, Clock clock, Duration every,
                               MeterRegistry registry) {
        this.blobs = blobs;
        this.history = history;
        this.collected = Counter.builder("parley.attachments.collected")
                .description("Files deleted because no message carries them any more (or never did)")
                .register(registry);
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-attachment-collector");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::collectQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: the due files' rows, then their bytes. @return how many were deleted */
    int collect() {
        Instant now = clock.instant();
        List<StoredAttachment> due = history.call("attachments_due", store -> store.dueAttachments(now, BATCH)).join();
        int deleted = 0;
        for (StoredAttachment attachment : due) {
            String id = attachment.attachment().id();
            boolean mine = history.call("delete_attachment", store -> store.deleteDueAttachment(id, now)).join();
            if (mine) {
                try {
                    blobs.delete(id);
                } catch (IOException | RuntimeException e) {
                    log.warn("attachment {}: row deleted, its bytes in {} could not be: {}", id, blobs.describe(),
                            e.toString());
                }
                collected.increment();
                deleted++;
            }
        }
        return deleted;
    }

    private void collectQuietly() {
        try {
            while (collect() == BATCH) {
                // a full batch: more may be due
            }
        } catch (RuntimeException e) {
            log.warn("collecting unused attachments failed; next round later: {}", e.toString());
        }
    }

    /** Stops collecting; waits (bounded) for a round in progress, so the store can close after this. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
