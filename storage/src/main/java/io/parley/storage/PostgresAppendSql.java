package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * PostgreSQL's append: the whole batch in one statement, run in auto-commit mode, so a group
 * commit costs one round trip whatever its size (two when it holds sends with a client message
 * id: their lookup, {@link #findByClientIds}, comes first). Same result as {@link MessageSql#append} (which
 * H2 uses): each message gets the next sequence of its chat in batch order, and each chat's
 * counter (last sequence, updated-at never backwards) moves to what the batch leaves behind.
 *
 * <p>Why one statement: on this write path a round trip (a wake-up of the writer thread and of
 * the server backend) costs more than the rows; lock, counter update, insert and commit as four
 * round trips made the commit path wake-up bound at moderate rates. Why arrays: a 500-row batch
 * as a multi-row INSERT has thousands of bind parameters that PostgreSQL parses and plans on
 * every commit (measured ~35 ms per batch); as arrays it is a fixed dozen parameters and one plan.
 */
final class PostgresAppendSql {

    /** Numbers, counts and inserts the batch; the statement goes on with {@link #APPEND_END}. */
    private static final String APPEND_START =
            "WITH batch AS ("
                    + " SELECT * FROM unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[], ?::smallint[],"
                    + " ?::bigint[], ?::timestamptz[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[])"
                    + " WITH ORDINALITY AS v (id, chat_id, sender_id, content, content_type, reply_to, created_at,"
                    + " client_message_id, outbox_data, attachment, attachment_id, ord)),"
                    // Locked in id order: two nodes appending to overlapping chats wait for each other
                    // instead of deadlocking, and the second reads the counter the first left.
                    + " locked AS (SELECT id, last_seq FROM chats WHERE id IN (SELECT chat_id FROM batch)"
                    + " ORDER BY id FOR UPDATE),"
                    // A message of an unknown chat gets no sequence: messages.seq's NOT NULL then
                    // refuses the whole statement, so nothing of the batch is written.
                    + " numbered AS (SELECT b.*, l.last_seq + row_number() OVER (PARTITION BY b.chat_id ORDER BY b.ord)"
                    + " AS seq FROM batch b LEFT JOIN locked l ON l.id = b.chat_id),"
                    + " bumped AS (UPDATE chats c SET last_seq = n.last_seq,"
                    + " updated_at = GREATEST(c.updated_at, n.updated_at)"
                    + " FROM (SELECT chat_id, max(seq) AS last_seq, max(created_at) AS updated_at FROM numbered"
                    + " GROUP BY chat_id) n WHERE c.id = n.chat_id),"
                    + " inserted AS (INSERT INTO messages (id, chat_id, seq, sender_id, content, content_type, reply_to,"
                    + " created_at, updated_at, deleted, edited, client_message_id, attachment)"
                    + " SELECT id, chat_id, seq, sender_id, content, content_type, reply_to, created_at, created_at,"
                    + " FALSE, FALSE, client_message_id, attachment FROM numbered),";
    /**
     * Each file the batch carries gains a reference per message (one UPDATE per row); left out of
     * a batch that carries none, most of them.
     */
    private static final String REFERENCE_FILES =
            " referenced AS (UPDATE attachments a SET refs = a.refs + r.n, expires_at = NULL"
                    + " FROM (SELECT attachment_id, count(*) AS n FROM numbered WHERE attachment_id IS NOT NULL"
                    + " GROUP BY attachment_id) r WHERE a.id = r.attachment_id),";
    /** The webhook's message.created events, in the message's own commit; the statement's result. */
    private static final String APPEND_END =
            " announced AS (INSERT INTO webhook_outbox (id, type, chat_id, message_id, data, created_at, state,"
                    + " attempts, next_attempt_at) SELECT id, '" + OutboxSql.MESSAGE_CREATED + "', chat_id, id,"
                    + " outbox_data, created_at, '" + OutboxSql.PENDING + "', 0, created_at FROM numbered WHERE outbox_data IS NOT NULL)"
                    + " SELECT seq FROM numbered ORDER BY ord";
    private static final String APPEND = APPEND_START + APPEND_END;
    private static final String APPEND_WITH_FILES = APPEND_START + REFERENCE_FILES + APPEND_END;
    private static final String EXISTING_CHATS = "SELECT id FROM chats WHERE id = ANY (?)";
    /** The stored messages of repeated sends, in one round trip (the partial index serves it). */
    private static final String BY_CLIENT_IDS =
            "SELECT " + Rows.MESSAGE_COLUMNS + ", k.ord FROM unnest(?::varchar[], ?::varchar[], ?::varchar[])"
                    + " WITH ORDINALITY AS k (chat_id, sender_id, client_message_id, ord)"
                    + " JOIN messages m ON m.chat_id = k.chat_id AND m.sender_id = k.sender_id"
                    + " AND m.client_message_id = k.client_message_id WHERE m.client_message_id IS NOT NULL";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String CLIENT_ID_INDEX = "messages_client_id_key";
    private static final String NOT_NULL_VIOLATION = "23502";

    private PostgresAppendSql() {
    }

    /** Runs on a connection in auto-commit mode: the statement is its own transaction. */
    static List<Message> append(Connection c, List<NewMessage> batch) throws SQLException {
        int n = batch.size();
        Long[] ids = new Long[n];
        String[] chatIds = new String[n];
        String[] senders = new String[n];
        String[] contents = new String[n];
        Short[] types = new Short[n];
        Long[] replyTos = new Long[n];
        String[] createdAts = new String[n];
        String[] clientIds = new String[n];
        String[] outboxData = new String[n];
        String[] attachments = new String[n];
        String[] attachmentIds = new String[n];
        Instant[] created = new Instant[n];
        for (int i = 0; i < n; i++) {
            NewMessage m = batch.get(i);
            ids[i] = m.id();
            chatIds[i] = m.chatId();
            senders[i] = m.senderId();
            contents[i] = m.content();
            types[i] = (short) m.contentType().code();
            replyTos[i] = m.replyTo();
            created[i] = Rows.micros(m.createdAt()); // what the column keeps
            createdAts[i] = created[i].toString(); // ISO-8601 UTC: timestamptz input
            clientIds[i] = m.clientMessageId();
            outboxData[i] = m.outboxData();
            attachments[i] = AttachmentSql.toJson(m.attachment());
            attachmentIds[i] = m.attachment() == null ? null : m.attachment().id();
        }
        List<Message> committed = new ArrayList<>(n);
        boolean withFiles = Arrays.stream(attachmentIds).anyMatch(Objects::nonNull);
        try (PreparedStatement ps = c.prepareStatement(withFiles ? APPEND_WITH_FILES : APPEND)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("bigint", ids));
            ps.setArray(p++, c.createArrayOf("varchar", chatIds));
            ps.setArray(p++, c.createArrayOf("varchar", senders));
            ps.setArray(p++, c.createArrayOf("varchar", contents));
            ps.setArray(p++, c.createArrayOf("int2", types));
            ps.setArray(p++, c.createArrayOf("bigint", replyTos));
            ps.setArray(p++, c.createArrayOf("varchar", createdAts));
            ps.setArray(p++, c.createArrayOf("varchar", clientIds));
            ps.setArray(p++, c.createArrayOf("varchar", outboxData));
            ps.setArray(p++, c.createArrayOf("varchar", attachments));
            ps.setArray(p, c.createArrayOf("varchar", attachmentIds));
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; rs.next(); i++) {
                    NewMessage m = batch.get(i);
                    committed.add(new Message(m.id(), m.chatId(), rs.getLong(1), m.senderId(), m.content(),
                            m.contentType(), m.replyTo(), created[i], created[i], false, false, m.attachment()));
                }
            }
        } catch (SQLException e) {
            if (NOT_NULL_VIOLATION.equals(e.getSQLState())) {
                throw unknownChat(c, chatIds, e);
            }
            throw e;
        }
        return committed;
    }

    /** The stored messages of repeated sends. */
    static Map<RepeatedSends.Key, Message> findByClientIds(Connection c, Collection<RepeatedSends.Key> keys)
            throws SQLException {
        List<RepeatedSends.Key> ordered = List.copyOf(keys);
        String[] chatIds = new String[ordered.size()];
        String[] senders = new String[ordered.size()];
        String[] clientIds = new String[ordered.size()];
        for (int i = 0; i < ordered.size(); i++) {
            chatIds[i] = ordered.get(i).chatId();
            senders[i] = ordered.get(i).senderId();
            clientIds[i] = ordered.get(i).clientMessageId();
        }
        Map<RepeatedSends.Key, Message> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(BY_CLIENT_IDS)) {
            ps.setArray(1, c.createArrayOf("varchar", chatIds));
            ps.setArray(2, c.createArrayOf("varchar", senders));
            ps.setArray(3, c.createArrayOf("varchar", clientIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(ordered.get(rs.getInt("ord") - 1), Rows.message(rs));
                }
            }
        }
        return stored;
    }

    /**
     * Whether the append failed because another node stored one of its repeated sends between
     * the lookup and the insert: the batch is then looked up and appended again.
     */
    static boolean lostRepeatRace(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains(CLIENT_ID_INDEX);
    }

    /** Names the chat that made the statement fail (the batch was rolled back with it). */
    private static RuntimeException unknownChat(Connection c, String[] chatIds, SQLException cause) throws SQLException {
        Set<String> existing = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(EXISTING_CHATS)) {
            ps.setArray(1, c.createArrayOf("varchar", chatIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    existing.add(rs.getString(1));
                }
            }
        }
        TreeSet<String> all = new TreeSet<>(List.of(chatIds));
        for (String chatId : all) {
            if (!existing.contains(chatId)) {
                UnknownChatException unknown = new UnknownChatException("append to " + all.size()
                        + " chat(s) rolled back: unknown chat '" + chatId + "'");
                unknown.initCause(cause);
                return unknown;
            }
        }
        return new StoreException("append failed: SQLState " + cause.getSQLState(), cause);
    }
}
