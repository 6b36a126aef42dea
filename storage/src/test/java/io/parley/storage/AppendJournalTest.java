package io.parley.storage;

import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.NewMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The journal's file: what is read back at open after a crash, a torn record, a checkpoint. */
class AppendJournalTest {

    @TempDir
    Path dir;

    private static final Instant AT = Instant.parse("2026-12-07T21:00:00.123456789Z");

    @Test
    void everyFieldOfAMessageIsReadBackInOrder() throws Exception {
        Path file = dir.resolve("j");
        List<AppendJournal.Entry> first = List.of(
                entry(new NewMessage(1, "chat-a", "alice", "hello, мир", ContentType.TEXT, null, AT), 7),
                entry(new NewMessage(2, "chat-b", "bob", "", ContentType.IMAGE, 1L, AT, "client-2", "{\"x\":1}",
                        new Attachment("file-1", "image/png", 1234, 10, null, "a.png")), 1));
        List<AppendJournal.Entry> second = List.of(
                entry(new NewMessage(3, "chat-a", "alice", "x".repeat(100_000), ContentType.TEXT, null, AT), 8));
        try (AppendJournal journal = AppendJournal.open(file)) {
            assertThat(journal.recovered()).isEmpty();
            journal.append(first);
            journal.append(second);
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).containsExactly(first, second);
        }
    }

    @Test
    void aRecordTornByACrashEndsTheLog() throws Exception {
        Path file = dir.resolve("j");
        List<AppendJournal.Entry> kept = List.of(entry(message(1), 1));
        try (AppendJournal journal = AppendJournal.open(file)) {
            journal.append(kept);
            journal.append(List.of(entry(message(2), 2)));
        }
        long size = Files.size(file);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(size - 3); // the last record's last bytes never reached the disk
            raw.write(new byte[]{0, 0, 0});
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).containsExactly(kept);
            reopened.append(List.of(entry(message(3), 2))); // written over the torn one
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).containsExactly(kept, List.of(entry(message(3), 2)));
        }
    }

    @Test
    void aCheckpointForcesTheStoreThenDropsTheRecordsWrittenBeforeIt() throws Exception {
        Path file = dir.resolve("j");
        AtomicInteger storeSyncs = new AtomicInteger();
        try (AppendJournal journal = AppendJournal.open(file)) {
            journal.append(List.of(entry(message(1), 1)));
            journal.append(List.of(entry(message(2), 2), entry(message(3), 3)));
            long before = journal.bytes();
            journal.checkpoint(storeSyncs::incrementAndGet);
            assertThat(storeSyncs).hasValue(1);
            assertThat(journal.bytes()).isZero();
            assertThat(Files.size(file)).as("written over in place, not truncated").isGreaterThan(before);
            journal.append(List.of(entry(message(4), 4))); // shorter: the old epoch's records follow it
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).containsExactly(List.of(entry(message(4), 4)));
        }
    }

    @Test
    void aFailedStoreSyncKeepsTheRecords() throws Exception {
        Path file = dir.resolve("j");
        try (AppendJournal journal = AppendJournal.open(file)) {
            journal.append(List.of(entry(message(1), 1)));
            assertThatThrownBy(() -> journal.checkpoint(() -> {
                throw new StoreException("disk full");
            })).isInstanceOf(StoreException.class);
            assertThat(journal.bytes()).isPositive();
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).containsExactly(List.of(entry(message(1), 1)));
        }
    }

    @Test
    void aHeaderTornDuringACheckpointStartsAnEmptyJournal() throws Exception {
        Path file = dir.resolve("j");
        try (AppendJournal journal = AppendJournal.open(file)) {
            journal.append(List.of(entry(message(1), 1)));
        }
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(8);
            raw.write(0x55); // the new epoch half written
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).isEmpty();
        }
        try (AppendJournal reopened = AppendJournal.open(file)) {
            assertThat(reopened.recovered()).isEmpty();
        }
    }

    @Test
    void anotherFileIsRefused() throws Exception {
        Path file = dir.resolve("j");
        Files.writeString(file, "not a journal at all");
        assertThatThrownBy(() -> AppendJournal.open(file)).hasMessageContaining("not a Parley history journal");
    }

    private static NewMessage message(long id) {
        return new NewMessage(id, "chat", "alice", "m" + id, ContentType.TEXT, null, AT);
    }

    private static AppendJournal.Entry entry(NewMessage message, long seq) {
        return new AppendJournal.Entry(message, seq);
    }
}
