package io.parley.gateway.attachments;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.JdbcHistoryStore;
import io.parley.storage.StoredAttachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The collector on a real embedded store and file blob store: it deletes exactly what is due. */
class AttachmentCollectorTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void deletesTheRowsAndBytesOfDueFilesOnly() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HistoryService history = new HistoryService(JdbcHistoryStore.embedded(dir.resolve("db")),
                HistoryOptions.defaults(), registry);
             FileBlobStore blobs = new FileBlobStore(dir.resolve("blobs"));
             AttachmentCollector collector = new AttachmentCollector(blobs, history, Clock.fixed(NOW, ZoneOffset.UTC),
                     Duration.ofHours(1), registry)) {
            history.call("chat", store -> store.createChatIfAbsent(new NewChat("c1", ChatKind.GROUP, "ann", null, null,
                    Set.of("ann"), NOW))).join();
            StoredAttachment abandoned = upload(history, blobs, "abandoned", NOW.minusSeconds(1));
            StoredAttachment sent = upload(history, blobs, "sent", NOW.minusSeconds(1));
            StoredAttachment fresh = upload(history, blobs, "fresh", NOW.plusSeconds(60));
            history.call("send", store -> store.append(List.of(new NewMessage(1, "c1", "ann", "", ContentType.TEXT, null,
                    NOW, null, null, sent.attachment())))).join();

            assertThat(collector.collect()).isEqualTo(1);

            assertThatThrownBy(() -> blobs.download("abandoned", "image/png", null)).isInstanceOf(NoSuchFileException.class);
            assertThat(history.call("find", store -> store.findAttachment("abandoned")).join()).isEmpty();
            assertThat(blobs.download("sent", "image/png", null)).isInstanceOf(BlobStore.Download.LocalFile.class);
            assertThat(blobs.download("fresh", "image/png", null)).isInstanceOf(BlobStore.Download.LocalFile.class);
            assertThat(history.call("find", store -> store.findAttachment("fresh")).join()).contains(fresh);
            assertThat(registry.get("parley.attachments.collected").counter().count()).isEqualTo(1);
            assertThat(collector.collect()).isZero();
        }
    }

    private StoredAttachment upload(HistoryService history, FileBlobStore blobs, String id, Instant expiresAt)
            throws Exception {
        Path file = Files.writeString(dir.resolve(id + ".tmp"), id);
        long size = Files.size(file);
        blobs.put(id, file, "image/png", size);
        StoredAttachment stored = new StoredAttachment(new Attachment(id, "image/png", size, 1, 1, null), "c1", "ann",
                NOW.minusSeconds(3600), expiresAt);
        history.call("add", store -> {
            store.addAttachment(stored);
            return null;
        }).join();
        return stored;
    }
}
