package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Statements on {@code messages} (and the per-chat counter in {@code chats} that append bumps). */
final class MessageSql {

    /**
     * Chats per lock or counter statement: one round trip per chunk, and at most 1,500 parameters
     * (both drivers allow tens of thousands).
     */
    private static final int CHATS_PER_STATEMENT = 500;

    // One MERGE sets the counters of all chats in a chunk: a JDBC batch of single-row UPDATEs costs
    // one statement execution per chat (measured 2-3x slower on PostgreSQL for 500 chats).
    // MERGE exists on PostgreSQL 15+ and H2; the CASTs give PostgreSQL the VALUES column types.
    private static final String COUNTER_ROW =
            "(CAST(? AS VARCHAR), CAST(? AS BIGINT), CAST(? AS TIMESTAMP WITH TIME ZONE))";
    private static final String MERGE_COUNTERS_HEAD = "MERGE INTO chats c USING (VALUES ";
    private static final String MERGE_COUNTERS_TAIL = ") AS v (id, last_seq, updated_at) ON c.id = v.id"
            + " WHEN MATCHED THEN UPDATE SET last_seq = v.last_seq, updated_at = v.updated_at";
    // A JDBC batch of this statement becomes multi-row INSERTs on PostgreSQL
    // (reWriteBatchedInserts, see DataSources); H2 runs it in-process.
    private static final String INSERT_MESSAGE =
            "INSERT INTO messages (id, chat_id, seq, sender_id, content, content_type, reply_to,"
                    + " created_at, updated_at, deleted, edited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, FALSE)";
    private static final String SELECT_BY_ID =
            "SELECT " + Rows.MESSAGE_COLUMNS + " FROM messages m WHERE m.id = ?";
    private static final String SELECT_NEWEST =
            "SELECT " + Rows.MESSAGE_COLUMNS + " FROM messages m"
                    + " WHERE m.chat_id = ? ORDER BY m.seq DESC LIMIT ?";
    // An unknown before-id (or one from another chat) makes the subquery NULL: an empty page.
    private static final String SELECT_BEFORE =
            "SELECT " + Rows.MESSAGE_COLUMNS + " FROM messages m"
                    + " WHERE m.chat_id = ? AND m.seq < (SELECT b.seq FROM messages b WHERE b.id = ? AND b.chat_id = ?)"
                    + " ORDER BY m.seq DESC LIMIT ?";
    private static final String SELECT_AFTER =
            "SELECT " + Rows.MESSAGE_COLUMNS + " FROM messages m"
                    + " WHERE m.chat_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?";
    private static final String UPDATE_CONTENT =
            "UPDATE messages SET content = ?, edited = TRUE, updated_at = ? WHERE id = ? AND deleted = FALSE";
    private static final String UPDATE_DELETED =
            "UPDATE messages SET content = '', deleted = TRUE, updated_at = ? WHERE id = ? AND deleted = FALSE";

    private MessageSql() {
    }

    /**
     * Assigns per-chat sequences and inserts the batch; see {@link HistoryStore#append}. Chat rows
     * are locked first, in id order (one statement for up to 500 chats), so two nodes appending to
     * overlapping chats wait for each other instead of deadlocking, and never hand out one
     * sequence twice.
     */
    static List<Message> append(Connection c, List<NewMessage> batch) throws SQLException {
        TreeSet<String> chatIds = new TreeSet<>(batchChatIds(batch));
        Map<String, ChatCounter> counters = lockChats(c, chatIds);
        List<Message> committed = assignSequences(batch, counters);
        updateCounters(c, new ArrayList<>(chatIds), counters);
        insertMessages(c, committed);
        return committed;
    }

    /**
     * Gives each message the next sequence of its chat, in batch order, and moves each counter
     * (last sequence, and updated-at, never backwards) to what the batch leaves behind.
     */
    private static List<Message> assignSequences(List<NewMessage> batch, Map<String, ChatCounter> counters) {
        List<Message> committed = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            ChatCounter counter = counters.get(m.chatId());
            Instant created = Rows.micros(m.createdAt());
            counter.lastSeq++;
            if (created.isAfter(counter.updatedAt)) {
                counter.updatedAt = created; // never moves a chat back in the recency order
            }
            committed.add(new Message(m.id(), m.chatId(), counter.lastSeq, m.senderId(), m.content(),
                    m.contentType(), m.replyTo(), created, created, false, false));
        }
        return committed;
    }

    static Optional<Message> find(Connection c, long messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
            ps.setLong(1, messageId);
            List<Message> found = list(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    static List<Message> page(Connection c, String chatId, Long beforeMessageId, int limit) throws SQLException {
        List<Message> newestFirst;
        if (beforeMessageId == null) {
            try (PreparedStatement ps = c.prepareStatement(SELECT_NEWEST)) {
                ps.setString(1, chatId);
                ps.setInt(2, limit);
                newestFirst = list(ps);
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement(SELECT_BEFORE)) {
                ps.setString(1, chatId);
                ps.setLong(2, beforeMessageId);
                ps.setString(3, chatId);
                ps.setInt(4, limit);
                newestFirst = list(ps);
            }
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    static List<Message> after(Connection c, String chatId, long afterSeq, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_AFTER)) {
            ps.setString(1, chatId);
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            return list(ps);
        }
    }

    /** @return true if an undeleted message with that id was changed */
    static boolean updateContent(Connection c, long messageId, String content, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_CONTENT)) {
            ps.setString(1, content);
            Rows.setInstant(ps, 2, at);
            ps.setLong(3, messageId);
            return ps.executeUpdate() == 1;
        }
    }

    /** @return true if an undeleted message with that id was deleted now */
    static boolean markDeleted(Connection c, long messageId, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_DELETED)) {
            Rows.setInstant(ps, 1, at);
            ps.setLong(2, messageId);
            return ps.executeUpdate() == 1;
        }
    }

    private static List<String> batchChatIds(List<NewMessage> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            ids.add(m.chatId());
        }
        return ids;
    }

    /** {@code SELECT ... FOR UPDATE} on every chat of the batch; fails if one does not exist. */
    private static Map<String, ChatCounter> lockChats(Connection c, TreeSet<String> chatIds) throws SQLException {
        Map<String, ChatCounter> counters = new HashMap<>();
        List<String> sorted = new ArrayList<>(chatIds);
        for (List<String> chunk : chunks(sorted)) {
            String sql = "SELECT id, last_seq, updated_at FROM chats WHERE id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ") ORDER BY id FOR UPDATE";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counters.put(rs.getString("id"),
                                new ChatCounter(rs.getLong("last_seq"), Rows.instant(rs, "updated_at")));
                    }
                }
            }
        }
        requireAll(sorted, counters);
        return counters;
    }

    /** Every chat of the batch must exist: one unknown chat rolls the whole batch back. */
    private static void requireAll(List<String> chatIds, Map<String, ChatCounter> counters) {
        for (String chatId : chatIds) {
            if (!counters.containsKey(chatId)) {
                throw new UnknownChatException("append to " + chatIds.size() + " chat(s) rolled back: unknown chat '"
                        + chatId + "'");
            }
        }
    }

    private static void updateCounters(Connection c, List<String> sortedChatIds, Map<String, ChatCounter> counters)
            throws SQLException {
        for (List<String> chunk : chunks(sortedChatIds)) {
            String sql = MERGE_COUNTERS_HEAD + String.join(", ", Collections.nCopies(chunk.size(), COUNTER_ROW))
                    + MERGE_COUNTERS_TAIL;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (String chatId : chunk) {
                    ChatCounter counter = counters.get(chatId);
                    ps.setString(p++, chatId);
                    ps.setLong(p++, counter.lastSeq);
                    Rows.setInstant(ps, p++, counter.updatedAt);
                }
                ps.executeUpdate();
            }
        }
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHATS_PER_STATEMENT) {
            chunks.add(ids.subList(from, Math.min(ids.size(), from + CHATS_PER_STATEMENT)));
        }
        return chunks;
    }

    private static void insertMessages(Connection c, List<Message> messages) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
            for (Message m : messages) {
                ps.setLong(1, m.id());
                ps.setString(2, m.chatId());
                ps.setLong(3, m.seq());
                ps.setString(4, m.senderId());
                ps.setString(5, m.content());
                ps.setShort(6, (short) m.contentType().code());
                Rows.setNullableLong(ps, 7, m.replyTo());
                Rows.setInstant(ps, 8, m.createdAt());
                Rows.setInstant(ps, 9, m.updatedAt());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<Message> list(PreparedStatement ps) throws SQLException {
        List<Message> messages = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                messages.add(Rows.message(rs));
            }
        }
        return messages;
    }

    /** A locked chat's counter while the batch is assigned its sequences. */
    private static final class ChatCounter {
        long lastSeq;
        Instant updatedAt;

        ChatCounter(long lastSeq, Instant updatedAt) {
            this.lastSeq = lastSeq;
            this.updatedAt = updatedAt;
        }
    }
}
