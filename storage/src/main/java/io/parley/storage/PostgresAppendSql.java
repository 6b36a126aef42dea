package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.MessageSql.ChatCounter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * PostgreSQL's append: three statements per batch whatever its size, the rows bound as arrays
 * and expanded by {@code unnest}. Same result as {@link MessageSql#append} (which H2 uses).
 *
 * <p>Why arrays: a 500-row batch as a multi-row INSERT plus a 500-row MERGE has ~6,000 bind
 * parameters that PostgreSQL parses and plans on every commit (measured ~35 ms per batch, the
 * ceiling of the whole write path). As arrays it is 12 parameters and a plan that does not
 * depend on the batch size (measured: see BENCHMARKS.md).
 */
final class PostgresAppendSql {

    // ORDER BY id: the rows are locked in id order, so two nodes appending to overlapping chats
    // wait for each other instead of deadlocking (and never hand out one sequence twice).
    private static final String LOCK_CHATS =
            "SELECT id, last_seq, updated_at FROM chats WHERE id = ANY (?) ORDER BY id FOR UPDATE";
    private static final String BUMP_COUNTERS =
            "UPDATE chats c SET last_seq = v.last_seq, updated_at = v.updated_at"
                    + " FROM unnest(?::varchar[], ?::bigint[], ?::timestamptz[]) AS v (id, last_seq, updated_at)"
                    + " WHERE c.id = v.id";
    private static final String INSERT_MESSAGES =
            "INSERT INTO messages (id, chat_id, seq, sender_id, content, content_type, reply_to,"
                    + " created_at, updated_at, deleted, edited)"
                    + " SELECT v.id, v.chat_id, v.seq, v.sender_id, v.content, v.content_type, v.reply_to,"
                    + " v.created_at, v.created_at, FALSE, FALSE"
                    + " FROM unnest(?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[],"
                    + " ?::smallint[], ?::bigint[], ?::timestamptz[])"
                    + " AS v (id, chat_id, seq, sender_id, content, content_type, reply_to, created_at)";

    private PostgresAppendSql() {
    }

    static List<Message> append(Connection c, List<NewMessage> batch) throws SQLException {
        String[] chatIds = new TreeSet<>(MessageSql.batchChatIds(batch)).toArray(String[]::new);
        Map<String, ChatCounter> counters = lockChats(c, chatIds);
        MessageSql.requireAll(List.of(chatIds), counters);
        List<Message> committed = MessageSql.assignSequences(batch, counters);
        bumpCounters(c, chatIds, counters);
        insert(c, committed);
        return committed;
    }

    private static Map<String, ChatCounter> lockChats(Connection c, String[] chatIds) throws SQLException {
        Map<String, ChatCounter> counters = new HashMap<>(chatIds.length * 2);
        try (PreparedStatement ps = c.prepareStatement(LOCK_CHATS)) {
            ps.setArray(1, c.createArrayOf("varchar", chatIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counters.put(rs.getString(1), new ChatCounter(rs.getLong(2), Rows.instant(rs, "updated_at")));
                }
            }
        }
        return counters;
    }

    private static void bumpCounters(Connection c, String[] chatIds, Map<String, ChatCounter> counters)
            throws SQLException {
        Long[] lastSeqs = new Long[chatIds.length];
        String[] updatedAts = new String[chatIds.length];
        for (int i = 0; i < chatIds.length; i++) {
            ChatCounter counter = counters.get(chatIds[i]);
            lastSeqs[i] = counter.lastSeq;
            updatedAts[i] = counter.updatedAt.toString(); // ISO-8601 UTC, microseconds: timestamptz input
        }
        try (PreparedStatement ps = c.prepareStatement(BUMP_COUNTERS)) {
            ps.setArray(1, c.createArrayOf("varchar", chatIds));
            ps.setArray(2, c.createArrayOf("bigint", lastSeqs));
            ps.setArray(3, c.createArrayOf("varchar", updatedAts));
            ps.executeUpdate();
        }
    }

    private static void insert(Connection c, List<Message> messages) throws SQLException {
        int n = messages.size();
        Long[] ids = new Long[n];
        String[] chatIds = new String[n];
        Long[] seqs = new Long[n];
        String[] senders = new String[n];
        String[] contents = new String[n];
        Short[] types = new Short[n];
        Long[] replyTos = new Long[n];
        String[] createdAts = new String[n];
        for (int i = 0; i < n; i++) {
            Message m = messages.get(i);
            ids[i] = m.id();
            chatIds[i] = m.chatId();
            seqs[i] = m.seq();
            senders[i] = m.senderId();
            contents[i] = m.content();
            types[i] = (short) m.contentType().code();
            replyTos[i] = m.replyTo();
            createdAts[i] = m.createdAt().toString();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MESSAGES)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("bigint", ids));
            ps.setArray(p++, c.createArrayOf("varchar", chatIds));
            ps.setArray(p++, c.createArrayOf("bigint", seqs));
            ps.setArray(p++, c.createArrayOf("varchar", senders));
            ps.setArray(p++, c.createArrayOf("varchar", contents));
            ps.setArray(p++, c.createArrayOf("int2", types));
            ps.setArray(p++, c.createArrayOf("bigint", replyTos));
            ps.setArray(p, c.createArrayOf("varchar", createdAts));
            ps.executeUpdate();
        }
    }
}
