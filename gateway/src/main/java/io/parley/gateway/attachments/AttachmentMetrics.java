package io.parley.gateway.attachments;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attachments' meters, as Prometheus shows them: {@code parley_attachment_uploads_total{result}},
 * {@code parley_attachment_upload_bytes_total}, {@code parley_attachment_uploads_active} and its
 * capacity, {@code parley_attachment_downloads_total}; the collector's own is
 * {@code parley_attachments_collected_total}.
 */
final class AttachmentMetrics {
    static final String STORED = "stored";
    static final String REFUSED = "refused";
    static final String FAILED = "failed";

    private final Map<String, Counter> uploads;
    private final Counter uploadBytes;
    private final Counter downloads;

    AttachmentMetrics(MeterRegistry registry, AtomicInteger active, int capacity) {
        uploads = Map.of(STORED, uploadCounter(registry, STORED), REFUSED, uploadCounter(registry, REFUSED),
                FAILED, uploadCounter(registry, FAILED));
        uploadBytes = Counter.builder("parley.attachment.upload.bytes")
                .description("Bytes of files stored from uploads").register(registry);
        downloads = Counter.builder("parley.attachment.downloads")
                .description("Attachment downloads answered (files sent, or redirects to the object store)")
                .register(registry);
        Gauge.builder("parley.attachment.uploads.active", active, AtomicInteger::get)
                .description("Uploads being received now").register(registry);
        Gauge.builder("parley.attachment.uploads.capacity", () -> capacity)
                .description("Uploads received at once at most (attachment_uploads)").register(registry);
    }

    private static Counter uploadCounter(MeterRegistry registry, String result) {
        return Counter.builder("parley.attachment.uploads")
                .description("Uploads by result: stored, refused (the client's: too large, type, rights),"
                        + " failed (the node's: store or disk)")
                .tag("result", result).register(registry);
    }

    void stored(long bytes) {
        uploads.get(STORED).increment();
        uploadBytes.increment(bytes);
    }

    void refused() {
        uploads.get(REFUSED).increment();
    }

    void failed() {
        uploads.get(FAILED).increment();
    }

    void downloaded() {
        downloads.increment();
    }
}
