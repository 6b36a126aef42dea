package io.parley.storage;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.NewChat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Statements on {@code chats} and {@code chat_members}. Each method runs inside the caller's transaction. */
final class ChatSql {

    // ON CONFLICT DO NOTHING (PostgreSQL, and H2 in PostgreSQL mode) makes creation race-safe:
    // the loser of two concurrent inserts waits for the winner's commit and inserts nothing.
    private static final String INSERT_CHAT =
            "INSERT INTO chats (id, kind, owner_id, application_id, title, last_seq, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING";
    private static final String INSERT_MEMBER =
            "INSERT INTO chat_members (chat_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String DELETE_MEMBER = "DELETE FROM chat_members WHERE chat_id = ? AND user_id = ?";
    private static final String CLOSE = "UPDATE chats SET closed_at = ? WHERE id = ? AND closed_at IS NULL";
    private static final String SELECT_BY_ID =
            "SELECT " + Rows.CHAT_COLUMNS + " FROM chats c WHERE c.id = ?";
    private static final String SELECT_BY_APPLICATION =
            "SELECT " + Rows.CHAT_COLUMNS + " FROM chats c WHERE c.application_id = ?";
    // Ties on updated_at are broken by number so that paging and tests see one stable order.
    private static final String SELECT_OF_USER =
            "SELECT " + Rows.CHAT_COLUMNS + " FROM chats c JOIN chat_members cm ON cm.chat_id = c.id"
                    + " WHERE cm.user_id = ? ORDER BY c.updated_at DESC, c.number DESC LIMIT ?";
    private static final String SELECT_OF_KIND =
            "SELECT " + Rows.CHAT_COLUMNS + " FROM chats c"
                    + " WHERE c.kind = ? ORDER BY c.updated_at DESC, c.number DESC LIMIT ?";
    private static final String SELECT_MEMBERS =
            "SELECT user_id FROM chat_members WHERE chat_id = ? ORDER BY user_id";
    // The user's most recent chats as SELECT_OF_USER picks them (chat_members_user_idx, then
    // chats_pk, top-N sort), joined back to chat_members on its primary key (chat_id, user_id):
    // one round trip instead of one per chat.
    private static final String SELECT_CONTACTS =
            "SELECT DISTINCT m.user_id FROM ("
                    + "SELECT c.id FROM chats c JOIN chat_members cm ON cm.chat_id = c.id"
                    + " WHERE cm.user_id = ? ORDER BY c.updated_at DESC, c.number DESC LIMIT ?"
                    + ") recent JOIN chat_members m ON m.chat_id = recent.id WHERE m.user_id <> ?";

    private ChatSql() {
    }

    /**
     * Inserts the chat, its members and {@code ifCreated} (or {@code null}) unless a chat with that
     * id exists; returns the stored chat.
     */
    static Chat createIfAbsent(Connection c, NewChat chat, OutboxEvent ifCreated) throws SQLException {
        Instant created = Rows.micros(chat.createdAt());
        int inserted;
        try (PreparedStatement ps = c.prepareStatement(INSERT_CHAT)) {
            ps.setString(1, chat.id());
            ps.setString(2, chat.kind().wireName());
            ps.setString(3, chat.ownerId());
            Rows.setNullableLong(ps, 4, chat.applicationId());
            ps.setString(5, chat.title());
            Rows.setInstant(ps, 6, created);
            Rows.setInstant(ps, 7, created);
            inserted = ps.executeUpdate();
        }
        if (inserted == 1) {
            insertMembers(c, chat.id(), new TreeSet<>(chat.members()), created);
            if (ifCreated != null) {
                OutboxSql.insert(c, ifCreated);
            }
        }
        Optional<Chat> stored = find(c, chat.id());
        if (stored.isPresent()) {
            return stored.get();
        }
        // Nothing inserted and no chat with this id: the application id belongs to another chat.
        String other = findByApplication(c, chat.applicationId()).map(Chat::id).orElse("?");
        throw new StoreException("chat '" + chat.id() + "' not created: application " + chat.applicationId()
                + " already has chat '" + other + "'");
    }

    static Optional<Chat> find(Connection c, String chatId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_BY_ID)) {
            ps.setString(1, chatId);
            return single(ps);
        }
    }

    static Optional<Chat> findByApplication(Connection c, Long applicationId) throws SQLException {
        if (applicationId == null) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT_BY_APPLICATION)) {
            ps.setLong(1, applicationId);
            return single(ps);
        }
    }

    static List<Chat> ofUser(Connection c, String userId, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_OF_USER)) {
            ps.setString(1, userId);
            ps.setInt(2, limit);
            return list(ps);
        }
    }

    static List<Chat> ofKind(Connection c, ChatKind kind, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_OF_KIND)) {
            ps.setString(1, kind.wireName());
            ps.setInt(2, limit);
            return list(ps);
        }
    }

    static Set<String> members(Connection c, String chatId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_MEMBERS)) {
            ps.setString(1, chatId);
            Set<String> members = new LinkedHashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableSet(members);
        }
    }

    static Set<String> contactsOf(Connection c, String userId, int chatLimit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_CONTACTS)) {
            ps.setString(1, userId);
            ps.setInt(2, chatLimit);
            ps.setString(3, userId);
            Set<String> contacts = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    contacts.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableSet(contacts);
        }
    }

    /**
     * Adds a member; false if already one; {@link UnknownChatException} if the chat does not exist.
     */
    static boolean addMember(Connection c, String chatId, String userId, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBER)) {
            ps.setString(1, chatId);
            ps.setString(2, userId);
            Rows.setInstant(ps, 3, at);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            if (Transactions.isForeignKeyViolation(e)) {
                throw unknownChat(chatId);
            }
            throw e;
        }
    }

    /** Removes a member; false if not one. */
    static boolean removeMember(Connection c, String chatId, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_MEMBER)) {
            ps.setString(1, chatId);
            ps.setString(2, userId);
            return ps.executeUpdate() > 0;
        }
    }

    /** Closes an open chat; false if it was closed already or does not exist. */
    static boolean close(Connection c, String chatId, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CLOSE)) {
            Rows.setInstant(ps, 1, at);
            ps.setString(2, chatId);
            return ps.executeUpdate() > 0;
        }
    }

    private static void insertMembers(Connection c, String chatId, Set<String> userIds, Instant at)
            throws SQLException {
        if (userIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBER)) {
            for (String userId : userIds) {
                ps.setString(1, chatId);
                ps.setString(2, userId);
                Rows.setInstant(ps, 3, at);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            if (Transactions.isForeignKeyViolation(e)) {
                throw unknownChat(chatId);
            }
            throw e;
        }
    }

    private static UnknownChatException unknownChat(String chatId) {
        return new UnknownChatException("cannot add members to unknown chat '" + chatId + "'");
    }

    private static Optional<Chat> single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Rows.chat(rs)) : Optional.empty();
        }
    }

    private static List<Chat> list(PreparedStatement ps) throws SQLException {
        List<Chat> chats = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                chats.add(Rows.chat(rs));
            }
        }
        return chats;
    }
}
