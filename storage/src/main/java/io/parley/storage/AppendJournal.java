package io.parley.storage;

import io.parley.protocol.model.NewMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The embedded store's write-ahead file for appends: each group commit's new messages, with the
 * sequences their commit gave them, as one record (length, CRC32C, epoch, payload), written and
 * forced with one {@code fdatasync} before anybody is told. That costs a write of a few hundred
 * bytes per message, where forcing H2 itself rewrites and syncs every B-tree page the commit
 * touched.
 *
 * <p>A {@link #checkpoint} forces H2 and then starts a new epoch: the header's epoch goes up and
 * writing starts again at the top, over the old records (in place: no file growth, no metadata to
 * sync). Records of an older epoch, and a record torn by a crash (its CRC), end the log when it is
 * read back at {@link #open}.
 *
 * <p>Thread-safe: writers append under one lock, and a checkpoint holds it, so no record can be
 * written between the store's sync and the reset that drops it.
 */
final class AppendJournal implements AutoCloseable {

    /** One journaled message: what the append was given, and the sequence its commit gave it. */
    record Entry(NewMessage message, long seq) {
    }

    private static final Logger log = LoggerFactory.getLogger(AppendJournal.class);

    private static final int MAGIC = 0x504a524e; // "PJRN"
    /** Magic, epoch, CRC of the epoch. */
    private static final int HEADER_BYTES = 16;
    /** Payload length, CRC of epoch and payload, epoch. */
    private static final int RECORD_HEAD_BYTES = 16;

    private final Path path;
    private final FileChannel channel;
    private final List<List<Entry>> recovered;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
    private final DataOutputStream out = new DataOutputStream(buffer);
    private long epoch;
    /** Where the next record goes; read without the lock by {@link #bytes()}. */
    private volatile long position;

    private AppendJournal(Path path, FileChannel channel, long epoch, long position, List<List<Entry>> recovered) {
        this.path = path;
        this.channel = channel;
        this.epoch = epoch;
        this.position = position;
        this.recovered = recovered;
    }

    /** Opens (or creates) the journal and reads back its current epoch's records. */
    static AppendJournal open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                long epoch = readEpoch(channel, path);
                List<List<Entry>> recovered = new ArrayList<>();
                long position = epoch < 0 ? HEADER_BYTES : readRecords(channel, epoch, recovered);
                AppendJournal journal = new AppendJournal(path, channel, Math.max(epoch, 0), position, recovered);
                if (epoch < 0) { // new, or torn: old records must not follow the new epoch's
                    channel.truncate(0);
                    journal.startEpoch(1);
                    syncDirectory(path.toAbsolutePath().getParent()); // a new file's name is on disk too
                }
                return journal;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the history journal " + path + ": " + e.getMessage(), e);
        }
    }

    /** The batches found at open, oldest first: those a crash may have left out of the store. */
    List<List<Entry>> recovered() {
        return recovered;
    }

    /** Writes one group commit's messages as one record and forces it to disk. */
    synchronized void append(List<Entry> entries) throws IOException {
        buffer.reset();
        out.writeInt(0); // length, CRC, epoch: filled in below
        out.writeInt(0);
        out.writeLong(epoch);
        JournalEntries.write(out, entries);
        ByteBuffer record = ByteBuffer.wrap(buffer.toByteArray());
        int payloadLength = record.limit() - RECORD_HEAD_BYTES;
        record.putInt(0, payloadLength);
        record.putInt(4, crc(record, 8, record.limit() - 8));
        long at = position;
        while (record.hasRemaining()) {
            at += channel.write(record, at);
        }
        channel.force(false);
        position = at;
    }

    /**
     * Runs {@code storeSync}, which forces the store to disk (every record here is already
     * committed there), and drops the records: the next one starts a new epoch at the top of the
     * file. If it throws, the records stay.
     */
    synchronized void checkpoint(Runnable storeSync) throws IOException {
        storeSync.run();
        startEpoch(epoch + 1);
        recovered.clear();
    }

    /** Bytes of records since the last checkpoint (the file itself keeps its largest size). */
    long bytes() {
        return position - HEADER_BYTES;
    }

    /** The file's size on disk. */
    long fileBytes() {
        try {
            return channel.size();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("closing the history journal {} failed: {}", path, e.toString());
        }
    }

    @Override
    public String toString() {
        return "history journal " + path;
    }

    private void startEpoch(long next) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(MAGIC).putLong(next);
        header.putInt(crc(header, 4, 8));
        header.flip();
        while (header.hasRemaining()) {
            channel.write(header, header.position());
        }
        channel.force(false);
        epoch = next;
        position = HEADER_BYTES;
    }

    /** The header's epoch, or -1 for a new file or a header torn while a checkpoint wrote it. */
    private static long readEpoch(FileChannel channel, Path path) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (readFully(channel, header, 0) < HEADER_BYTES) {
            return -1;
        }
        header.flip();
        if (header.getInt(0) != MAGIC) {
            throw new IOException("not a Parley history journal (move it away to start an empty one)");
        }
        if (header.getInt(12) != crc(header, 4, 8)) {
            // Only a checkpoint rewrites the header, after the store was forced: nothing is owed.
            log.warn("history journal {}: header torn by a crash during a checkpoint; starting a new one", path);
            return -1;
        }
        return header.getLong(4);
    }

    /** Reads the records of {@code epoch} into {@code batches}; returns where the log ends. */
    private static long readRecords(FileChannel channel, long epoch, List<List<Entry>> batches) throws IOException {
        long size = channel.size();
        long at = HEADER_BYTES;
        ByteBuffer head = ByteBuffer.allocate(RECORD_HEAD_BYTES);
        while (at + RECORD_HEAD_BYTES <= size) {
            head.clear();
            readFully(channel, head, at);
            int length = head.getInt(0);
            if (head.getLong(8) != epoch || length < 4 || length > size - at - RECORD_HEAD_BYTES) {
                break; // an older epoch's record, or the end of what was ever written
            }
            ByteBuffer record = ByteBuffer.allocate(RECORD_HEAD_BYTES + length);
            readFully(channel, record, at);
            if (crc(record, 8, record.limit() - 8) != head.getInt(4)) {
                break; // torn by a crash while being written: it was never acknowledged
            }
            batches.add(JournalEntries.read(record.array(), RECORD_HEAD_BYTES, length));
            at += RECORD_HEAD_BYTES + length;
        }
        return at;
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static int readFully(FileChannel channel, ByteBuffer into, long at) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int n = channel.read(into, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static int crc(ByteBuffer bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().limit(from + length).position(from));
        return (int) crc.getValue();
    }
}
