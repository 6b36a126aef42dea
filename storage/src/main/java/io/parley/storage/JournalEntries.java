package io.parley.storage;

import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.NewMessage;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one {@link AppendJournal} record: a batch's messages, each with every field its
 * append needs again and the sequence its commit gave it. Strings are length-prefixed UTF-8 (-1
 * for null), optional numbers a presence flag and the value.
 */
final class JournalEntries {

    private JournalEntries() {
    }

    static void write(DataOutputStream out, List<AppendJournal.Entry> entries) throws IOException {
        out.writeInt(entries.size());
        for (AppendJournal.Entry entry : entries) {
            NewMessage m = entry.message();
            out.writeLong(entry.seq());
            out.writeLong(m.id());
            writeString(out, m.chatId());
            writeString(out, m.senderId());
            writeString(out, m.content());
            out.writeByte(m.contentType().code());
            writeNullableLong(out, m.replyTo());
            out.writeLong(m.createdAt().getEpochSecond());
            out.writeInt(m.createdAt().getNano());
            writeString(out, m.clientMessageId());
            writeString(out, m.outboxData());
            Attachment a = m.attachment();
            out.writeBoolean(a != null);
            if (a != null) {
                writeString(out, a.id());
                writeString(out, a.mediaType());
                out.writeLong(a.size());
                writeNullableInt(out, a.width());
                writeNullableInt(out, a.height());
                writeString(out, a.name());
            }
        }
    }

    static List<AppendJournal.Entry> read(byte[] bytes, int from, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, from, length));
        int count = in.readInt();
        List<AppendJournal.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = in.readLong();
            long id = in.readLong();
            String chatId = readString(in);
            String senderId = readString(in);
            String content = readString(in);
            ContentType contentType = ContentType.fromCode((int) in.readByte());
            Long replyTo = in.readBoolean() ? in.readLong() : null;
            Instant createdAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String clientMessageId = readString(in);
            String outboxData = readString(in);
            Attachment attachment = in.readBoolean()
                    ? new Attachment(readString(in), readString(in), in.readLong(), readNullableInt(in),
                            readNullableInt(in), readString(in)) // arguments run left to right: write order
                    : null;
            entries.add(new AppendJournal.Entry(new NewMessage(id, chatId, senderId, content, contentType, replyTo,
                    createdAt, clientMessageId, outboxData, attachment), seq));
        }
        return entries;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void writeNullableLong(DataOutputStream out, Long value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static void writeNullableInt(DataOutputStream out, Integer value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeInt(value);
        }
    }

    private static Integer readNullableInt(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readInt() : null;
    }
}
