package io.parley.gateway.attachments;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpDataFactory;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.core.Attachments;
import io.parley.protocol.model.Attachment;
import io.parley.storage.StoredAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The files behind attachments: admits uploads (at most {@code attachment_uploads} at once),
 * decides a finished upload's type from its bytes, keeps it in the {@link BlobStore} and records
 * it; answers where a download is served from. Disk and object-store work runs on its own small
 * pool, never on an event loop.
 */
public final class AttachmentFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AttachmentFiles.class);
    /** Form fields and small files stay in memory up to this, then go to a temporary file. */
    private static final long IN_MEMORY_PART_BYTES = 16 * 1024;
    private static final int IO_THREADS = 2;

    private final AttachmentOptions options;
    private final BlobStore blobs;
    private final Attachments access;
    private final Path tempDir;
    private final Clock clock;
    private final ThreadPoolExecutor io;
    private final AtomicInteger active = new AtomicInteger();
    private final AttachmentMetrics metrics;
    private final SecureRandom random = new SecureRandom();

    /** @param tempDir where uploads are received; emptied now (what a crash left there) */
    public AttachmentFiles(AttachmentOptions options, BlobStore blobs, Attachments access, Path tempDir, Clock clock,
                           MeterRegistry registry) {
        this.options = options;
        this.blobs = blobs;
        this.access = access;
        this.tempDir = emptied(tempDir);
        this.clock = clock;
        this.metrics = new AttachmentMetrics(registry, active, options.maxUploads());
        AtomicInteger threads = new AtomicInteger();
        // Each upload has at most one step queued at a time, downloads one each: the queue's
        // bound is never reached unless the pool is stuck, and then callers get 503.
        this.io = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(options.maxUploads() * 4 + 256), r -> {
                    Thread t = new Thread(r, "parley-attachments-io-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public AttachmentOptions options() {
        return options;
    }

    Attachments access() {
        return access;
    }

    BlobStore blobs() {
        return blobs;
    }

    AttachmentMetrics metrics() {
        return metrics;
    }

    Executor io() {
        return io;
    }

    /** A slot for one more upload, or false when {@code attachment_uploads} are in progress. */
    boolean admit() {
        if (active.incrementAndGet() > options.maxUploads()) {
            active.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        active.decrementAndGet();
    }

    /** Where one request's parts go: memory for small ones, then {@code tempDir}, bounded by the size limit. */
    HttpDataFactory dataFactory() {
        DefaultHttpDataFactory factory = new DefaultHttpDataFactory(IN_MEMORY_PART_BYTES);
        factory.setBaseDir(tempDir.toString());
        factory.setDeleteOnExit(false);
        factory.setMaxLimit(options.maxBytes());
        return factory;
    }

    /**
     * Keeps a received file: its type from its bytes (refused with 415 unless accepted), then into
     * the blob store and recorded for the chat. Runs on the upload's {@code steps}.
     */
    CompletableFuture<Attachment> store(Principal uploader, String chatId, FileUpload upload, Executor steps) {
        return CompletableFuture.supplyAsync(() -> keep(upload), steps)
                .thenCompose(attachment -> {
                    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
                    StoredAttachment stored = new StoredAttachment(attachment, chatId, uploader.userId(), now,
                            now.plus(options.ttl()));
                    return access.record(stored).handle((recorded, failure) -> {
                        if (failure != null) {
                            io.execute(() -> deleteQuietly(attachment.id()));
                            throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
                        }
                        metrics.stored(attachment.size());
                        return attachment;
                    });
                });
    }

    private Attachment keep(FileUpload upload) {
        String id = newId();
        Path file = tempDir.resolve(id);
        try {
            if (upload.length() == 0) {
                throw new UploadRefused(HttpResponseStatus.BAD_REQUEST, "the file is empty");
            }
            if (!upload.renameTo(file.toFile())) {
                throw new IOException("could not move the upload to " + file);
            }
            Sniffed sniffed = MediaSniffer.sniff(file);
            if (!options.allowedTypes().contains(sniffed.mediaType())) {
                throw new UploadRefused(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "the file's content is "
                        + sniffed.mediaType() + ", which this server does not accept (attachment_types: "
                        + String.join(", ", options.allowedTypes().stream().sorted().toList()) + ")");
            }
            long size = Files.size(file);
            blobs.put(id, file, sniffed.mediaType(), size);
            return new Attachment(id, sniffed.mediaType(), size, sniffed.width(), sniffed.height(),
                    FileNames.clean(upload.getFilename()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("could not delete the temporary upload {}", file, e);
            }
        }
    }

    /** 128 random bits, URL-safe: ids cannot be guessed, so a URL alone reveals nothing of other files. */
    private String newId() {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    void deleteQuietly(String id) {
        try {
            blobs.delete(id);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete attachment {} from {}", id, blobs.describe(), e);
        }
    }

    private static Path emptied(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path leftover : leftovers.toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the upload directory " + dir, e);
        }
    }

    /** Stops the pool; the blob store is its opener's to close. */
    @Override
    public void close() {
        io.shutdown();
    }
}
