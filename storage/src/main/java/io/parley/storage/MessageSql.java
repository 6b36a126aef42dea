package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Statements on {@code messages} (and the per-chat counter in {@code chats} that append bumps). */
final class MessageSql {

    // The embedded store's append runs in-process: a statement execution costs microseconds, and
    // a statement whose text depends on the batch (an IN list, a multi-row MERGE) is parsed and
    // planned anew on almost every commit, which cost far more. So one fixed text per step, run
    // per chat. (PostgreSQL has its own append: PostgresAppendSql.)
    private static final String LOCK_CHAT = "SELECT last_seq, updated_at FROM chats WHERE id = ? FOR UPDATE";
    private static final String UPDATE_COUNTER = "UPDATE chats SET last_seq = ?, updated_at = ? WHERE id = ?";
    // One JDBC batch per commit, run in-process.
    private static final String INSERT_MESSAGE =
            "INSERT INTO messages (id, chat_id, seq, sender_id, content, content_type, reply_to,"
                    + " created_at, updated_at, deleted, edited, client_message_id, attachment)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, FALSE, ?, ?)";
    // H2 keeps the client ids in a table of their own (V5_1); PostgreSQL has PostgresAppendSql.
    private static final String INSERT_CLIENT_ID =
            "INSERT INTO message_client_ids (chat_id, sender_id, client_message_id, message_id) VALUES (?, ?, ?, ?)";
    private static final String SELECT_BY_CLIENT_ID =
            "SELECT " + Rows.MESSAGE_COLUMNS + " FROM message_client_ids k JOIN messages m ON m.id = k.message_id"
                    + " WHERE k.chat_id = ? AND k.sender_id = ? AND k.client_message_id = ?";
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
            "UPDATE messages SET content = '', attachment = NULL, deleted = TRUE, updated_at = ?"
                    + " WHERE id = ? AND deleted = FALSE";

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
        updateCounters(c, chatIds, counters);
        insertMessages(c, batch, committed);
        AttachmentSql.reference(c, attachmentIds(batch));
        return committed;
    }

    /** The stored messages of repeated sends, one lookup each (in-process: a few microseconds). */
    static Map<RepeatedSends.Key, Message> findByClientIds(Connection c, Collection<RepeatedSends.Key> keys)
            throws SQLException {
        Map<RepeatedSends.Key, Message> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT_BY_CLIENT_ID)) {
            for (RepeatedSends.Key key : keys) {
                ps.setString(1, key.chatId());
                ps.setString(2, key.senderId());
                ps.setString(3, key.clientMessageId());
                List<Message> found = list(ps);
                if (!found.isEmpty()) {
                    stored.put(key, found.get(0));
                }
            }
        }
        return stored;
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
                    m.contentType(), m.replyTo(), created, created, false, false, m.attachment()));
        }
        return committed;
    }

    /** The files the batch's messages carry, once per message. */
    private static List<String> attachmentIds(List<NewMessage> batch) {
        List<String> ids = new ArrayList<>();
        for (NewMessage m : batch) {
            if (m.attachment() != null) {
                ids.add(m.attachment().id());
            }
        }
        return ids;
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

    /**
     * Deletes an undeleted message and releases its attachment, if any (the last message carrying
     * a file makes it due for collection at {@code at}).
     *
     * @return true if it was deleted now
     */
    static boolean markDeleted(Connection c, long messageId, Instant at) throws SQLException {
        Optional<Message> before = find(c, messageId);
        boolean deleted;
        try (PreparedStatement ps = c.prepareStatement(UPDATE_DELETED)) {
            Rows.setInstant(ps, 1, at);
            ps.setLong(2, messageId);
            deleted = ps.executeUpdate() == 1;
        }
        if (deleted && before.isPresent() && before.get().attachment() != null) {
            AttachmentSql.release(c, before.get().attachment().id(), at);
        }
        return deleted;
    }

    private static List<String> batchChatIds(List<NewMessage> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        for (NewMessage m : batch) {
            ids.add(m.chatId());
        }
        return ids;
    }

    /** Locks every chat of the batch, in id order (two writers wait instead of deadlocking); fails if one does not exist. */
    private static Map<String, ChatCounter> lockChats(Connection c, TreeSet<String> chatIds) throws SQLException {
        Map<String, ChatCounter> counters = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK_CHAT)) {
            for (String chatId : chatIds) {
                ps.setString(1, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        counters.put(chatId, new ChatCounter(rs.getLong("last_seq"), Rows.instant(rs, "updated_at")));
                    }
                }
            }
        }
        requireAll(chatIds, counters);
        return counters;
    }

    /** Every chat of the batch must exist: one unknown chat rolls the whole batch back. */
    private static void requireAll(TreeSet<String> chatIds, Map<String, ChatCounter> counters) {
        for (String chatId : chatIds) {
            if (!counters.containsKey(chatId)) {
                throw new UnknownChatException("append to " + chatIds.size() + " chat(s) rolled back: unknown chat '"
                        + chatId + "'");
            }
        }
    }

    private static void updateCounters(Connection c, TreeSet<String> chatIds, Map<String, ChatCounter> counters)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_COUNTER)) {
            for (String chatId : chatIds) {
                ChatCounter counter = counters.get(chatId);
                ps.setLong(1, counter.lastSeq);
                Rows.setInstant(ps, 2, counter.updatedAt);
                ps.setString(3, chatId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertMessages(Connection c, List<NewMessage> batch, List<Message> messages)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGE)) {
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                ps.setLong(1, m.id());
                ps.setString(2, m.chatId());
                ps.setLong(3, m.seq());
                ps.setString(4, m.senderId());
                ps.setString(5, m.content());
                ps.setShort(6, (short) m.contentType().code());
                Rows.setNullableLong(ps, 7, m.replyTo());
                Rows.setInstant(ps, 8, m.createdAt());
                Rows.setInstant(ps, 9, m.updatedAt());
                ps.setString(10, batch.get(i).clientMessageId());
                ps.setString(11, AttachmentSql.toJson(m.attachment()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        insertClientIds(c, batch, messages);
    }

    /** Only the messages that carry a client id: most do not, and then cost nothing here. */
    private static void insertClientIds(Connection c, List<NewMessage> batch, List<Message> messages)
            throws SQLException {
        if (batch.stream().allMatch(m -> m.clientMessageId() == null)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_CLIENT_ID)) {
            for (int i = 0; i < messages.size(); i++) {
                String clientId = batch.get(i).clientMessageId();
                if (clientId != null) {
                    Message m = messages.get(i);
                    ps.setString(1, m.chatId());
                    ps.setString(2, m.senderId());
                    ps.setString(3, clientId);
                    ps.setLong(4, m.id());
                    ps.addBatch();
                }
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
