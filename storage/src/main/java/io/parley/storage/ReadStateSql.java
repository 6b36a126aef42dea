package io.parley.storage;

import io.parley.protocol.model.UnreadCount;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Statements on {@code read_cursors} and the unread counts derived from them. */
final class ReadStateSql {

    // The cursor only moves forward: the WHERE clause keeps the larger value. An upsert in three
    // portable steps (MERGE's concurrent-insert behaviour differs between the two databases):
    // update if behind; else insert if absent; if a concurrent insert won, update again.
    private static final String MOVE_FORWARD =
            "UPDATE read_cursors SET seq = ? WHERE chat_id = ? AND user_id = ? AND seq < ?";
    private static final String INSERT_IF_ABSENT =
            "INSERT INTO read_cursors (chat_id, user_id, seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String SELECT_OF_CHAT =
            "SELECT user_id, seq FROM read_cursors WHERE chat_id = ? ORDER BY user_id";
    // One query for all chats of the user: member row -> its cursor (0 when none) -> the messages
    // after it that someone else sent and nobody deleted. Chats with nothing unread yield no group.
    private static final String SELECT_UNREAD =
            "SELECT cm.chat_id, COUNT(*) AS unread"
                    + " FROM chat_members cm"
                    + " LEFT JOIN read_cursors rc ON rc.chat_id = cm.chat_id AND rc.user_id = cm.user_id"
                    + " JOIN messages m ON m.chat_id = cm.chat_id AND m.seq > COALESCE(rc.seq, 0)"
                    + " WHERE cm.user_id = ? AND m.sender_id <> ? AND m.deleted = FALSE"
                    + " GROUP BY cm.chat_id ORDER BY cm.chat_id";

    private ReadStateSql() {
    }

    /** @return true if the cursor moved forward (or was created) */
    static boolean advance(Connection c, String chatId, String userId, long seq) throws SQLException {
        if (moveForward(c, chatId, userId, seq)) {
            return true;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_IF_ABSENT)) {
            ps.setString(1, chatId);
            ps.setString(2, userId);
            ps.setLong(3, seq);
            if (ps.executeUpdate() == 1) {
                return true;
            }
        } catch (SQLException e) {
            if (Transactions.isForeignKeyViolation(e)) {
                throw new UnknownChatException("cannot move a read cursor in unknown chat '" + chatId + "'");
            }
            throw e;
        }
        return moveForward(c, chatId, userId, seq);
    }

    static Map<String, Long> cursors(Connection c, String chatId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_OF_CHAT)) {
            ps.setString(1, chatId);
            Map<String, Long> cursors = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cursors.put(rs.getString("user_id"), rs.getLong("seq"));
                }
            }
            return Collections.unmodifiableMap(cursors);
        }
    }

    static List<UnreadCount> unread(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_UNREAD)) {
            ps.setString(1, userId);
            ps.setString(2, userId);
            List<UnreadCount> counts = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.add(new UnreadCount(rs.getString("chat_id"), rs.getLong("unread")));
                }
            }
            return counts;
        }
    }

    private static boolean moveForward(Connection c, String chatId, String userId, long seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MOVE_FORWARD)) {
            ps.setLong(1, seq);
            ps.setString(2, chatId);
            ps.setString(3, userId);
            ps.setLong(4, seq);
            return ps.executeUpdate() == 1;
        }
    }
}
