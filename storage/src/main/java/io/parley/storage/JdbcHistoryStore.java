package io.parley.storage;

import com.zaxxer.hikari.HikariDataSource;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.protocol.model.UnreadCount;
import io.parley.storage.Transactions.Sync;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link HistoryStore} over JDBC: H2 embedded (the zero-setup default) or PostgreSQL, with one set
 * of SQL for both. This class opens and closes the pool and wraps each operation in a transaction;
 * the statements live in {@link ChatSql}, {@link MessageSql} and {@link ReadStateSql}.
 *
 * <p>Blocking: call it from storage threads only ({@link HistoryService}).
 */
public final class JdbcHistoryStore implements HistoryStore {

    private final HikariDataSource dataSource;
    private final Transactions tx;
    private final String description;

    private JdbcHistoryStore(HikariDataSource dataSource, String syncStatement, String description) {
        this.dataSource = dataSource;
        this.tx = new Transactions(dataSource, syncStatement);
        this.description = description;
    }

    /**
     * An H2 file database in {@code dataDir} (created if missing), kept across restarts; schema
     * migrated. Only one process may open a directory at a time (H2's file lock).
     */
    public static JdbcHistoryStore embedded(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        return open(DataSources.h2(dataDir), DataSources.H2_SYNC, "embedded history in " + dataDir);
    }

    /**
     * PostgreSQL at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}); schema migrated into
     * the connection's current schema. A commit is durable by itself there (synchronous_commit).
     */
    public static JdbcHistoryStore postgres(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        return open(DataSources.postgres(jdbcUrl, user, password), null,
                "PostgreSQL history at " + DataSources.redact(jdbcUrl));
    }

    private static JdbcHistoryStore open(HikariDataSource dataSource, String syncStatement, String description) {
        try {
            SchemaMigrations.apply(dataSource, description);
            return new JdbcHistoryStore(dataSource, syncStatement, description);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    @Override
    public Chat createChatIfAbsent(NewChat chat) {
        return tx.write("create chat '" + chat.id() + "'", Sync.AFTER_COMMIT, c -> ChatSql.createIfAbsent(c, chat));
    }

    @Override
    public Optional<Chat> findChat(String chatId) {
        return tx.read("find chat '" + chatId + "'", c -> ChatSql.find(c, chatId));
    }

    @Override
    public Optional<Chat> findChatByApplication(long applicationId) {
        return tx.read("find chat of application " + applicationId, c -> ChatSql.findByApplication(c, applicationId));
    }

    @Override
    public List<Chat> chatsOf(String userId, int limit) {
        requirePositive(limit);
        return tx.read("list chats of user '" + userId + "'", c -> ChatSql.ofUser(c, userId, limit));
    }

    @Override
    public List<Chat> chatsOfKind(ChatKind kind, int limit) {
        requirePositive(limit);
        return tx.read("list chats of kind " + kind.wireName(), c -> ChatSql.ofKind(c, kind, limit));
    }

    @Override
    public Set<String> members(String chatId) {
        return tx.read("list members of chat '" + chatId + "'", c -> ChatSql.members(c, chatId));
    }

    @Override
    public void addMember(String chatId, String userId) {
        tx.write("add member to chat '" + chatId + "'", Sync.AFTER_COMMIT, c -> {
            ChatSql.addMember(c, chatId, userId, Instant.now());
            return null;
        });
    }

    @Override
    public List<Message> append(List<NewMessage> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        return tx.write("append of " + batch.size() + " message(s)", Sync.AFTER_COMMIT,
                c -> MessageSql.append(c, batch));
    }

    @Override
    public List<Message> page(String chatId, Long beforeMessageId, int limit) {
        requirePositive(limit);
        return tx.read("page of chat '" + chatId + "'", c -> MessageSql.page(c, chatId, beforeMessageId, limit));
    }

    @Override
    public List<Message> after(String chatId, long afterSeq, int limit) {
        requirePositive(limit);
        return tx.read("messages of chat '" + chatId + "' after seq " + afterSeq,
                c -> MessageSql.after(c, chatId, afterSeq, limit));
    }

    @Override
    public Optional<Message> findMessage(long messageId) {
        return tx.read("find message " + messageId, c -> MessageSql.find(c, messageId));
    }

    /**
     * Not forced to disk on H2 (no fsync): a cursor lost to a power cut only shows a few messages
     * as unread again, and cursors move far more often than anything else is written.
     */
    @Override
    public boolean advanceReadCursor(String chatId, String userId, long seq) {
        if (seq <= 0) {
            return false; // 0 is where every cursor starts
        }
        return tx.write("move read cursor in chat '" + chatId + "'", Sync.NONE,
                c -> ReadStateSql.advance(c, chatId, userId, seq));
    }

    @Override
    public Map<String, Long> readCursors(String chatId) {
        return tx.read("read cursors of chat '" + chatId + "'", c -> ReadStateSql.cursors(c, chatId));
    }

    @Override
    public List<UnreadCount> unreadCounts(String userId) {
        return tx.read("unread counts of user '" + userId + "'", c -> ReadStateSql.unread(c, userId));
    }

    @Override
    public Optional<Message> edit(long messageId, String content, Instant at) {
        Objects.requireNonNull(content, "content");
        return tx.write("edit message " + messageId, Sync.AFTER_COMMIT, c ->
                MessageSql.updateContent(c, messageId, content, at)
                        ? MessageSql.find(c, messageId)
                        : Optional.empty());
    }

    /** Idempotent: a message deleted before is returned as it is, its updatedAt unchanged. */
    @Override
    public Optional<Message> softDelete(long messageId, Instant at) {
        return tx.write("delete message " + messageId, Sync.AFTER_COMMIT, c -> {
            MessageSql.markDeleted(c, messageId, at);
            return MessageSql.find(c, messageId);
        });
    }

    @Override
    public boolean isHealthy() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) DataSources.VALIDATION_TIMEOUT.toSeconds());
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Closes the pool; for H2 that closes the database (its last connection goes). */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return description;
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
    }
}
