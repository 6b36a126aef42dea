package io.parley.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.protocol.model.UnreadCount;
import io.parley.storage.Transactions.Sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link HistoryStore} over JDBC: H2 embedded (the zero-setup default) or PostgreSQL, with one set
 * of SQL for both except the append, which PostgreSQL runs with array parameters
 * ({@link PostgresAppendSql}). This class opens and closes the pools and wraps each operation in a
 * transaction; the statements live in {@link ChatSql}, {@link MessageSql} and {@link ReadStateSql}.
 *
 * <p>Appends run on the write pool, everything else on the read pool ({@link DataSources}): a
 * flood of slow reads waits for read connections and never for the writer's.
 *
 * <p>Blocking: call it from storage threads only ({@link HistoryService}).
 */
public final class JdbcHistoryStore implements HistoryStore {

    /**
     * How one backend appends a batch: on H2 a transaction made durable by a journal
     * ({@link JournaledAppends}), on PostgreSQL one statement that commits durably by itself
     * ({@link PostgresAppendSql}).
     */
    interface Appender extends AutoCloseable {
        List<Message> append(String what, List<NewMessage> batch);

        /** Bytes of the appender's own files on this node's disk (the embedded store's journal). */
        default long fileBytes() {
            return 0;
        }

        @Override
        default void close() {
        }
    }

    /**
     * PostgreSQL. A node may store a repeat between the lookup of repeated sends and the insert
     * (the client tried another node meanwhile): the unique index refuses the statement, and a
     * second lookup finds it.
     */
    private static Appender postgresAppends(Transactions appends) {
        return (what, batch) -> appends.singleStatement(what, c -> {
            try {
                return postgresAppend(c, batch);
            } catch (SQLException e) {
                if (!PostgresAppendSql.lostRepeatRace(e)) {
                    throw e;
                }
                return postgresAppend(c, batch);
            }
        });
    }

    private static List<Message> postgresAppend(Connection c, List<NewMessage> batch) throws SQLException {
        return RepeatedSends.append(batch, keys -> PostgresAppendSql.findByClientIds(c, keys),
                fresh -> PostgresAppendSql.append(c, fresh));
    }

    private final DataSources.Pools pools;
    private final Transactions calls;  // the read pool: reads and small writes (HistoryService.call)
    private final Appender appender;   // the write pool: group commits only
    private final String description;
    /** PostgreSQL: a cluster's nodes share it. H2: one process owns the file. */
    private final boolean sharedByNodes;
    /** H2's file; null on PostgreSQL. */
    private final Path file;

    private JdbcHistoryStore(DataSources.Pools pools, Transactions calls, Appender appender, String description,
                             Path file) {
        this.sharedByNodes = file == null;
        this.file = file;
        this.pools = pools;
        this.calls = calls;
        this.appender = appender;
        this.description = description;
    }

    /** {@link #embedded(Path, HistoryOptions, MeterRegistry)} with default pool sizes, no pool meters. */
    public static JdbcHistoryStore embedded(Path dataDir) {
        return embedded(dataDir, HistoryOptions.defaults(), null);
    }

    /**
     * An H2 file database in {@code dataDir} (created if missing), kept across restarts; schema
     * migrated, and the appends a crash kept out of it committed again from its journal
     * ({@link JournaledAppends}). Only one process may open a directory at a time (H2's file lock).
     *
     * @param options  sizes the pools (writer and read threads); pass the service's options
     * @param registry where the pools report HikariCP's meters, or {@code null}
     */
    public static JdbcHistoryStore embedded(Path dataDir, HistoryOptions options, MeterRegistry registry) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(options, "options");
        return open(DataSources.h2(dataDir, options, registry), DataSources.H2_SYNC,
                appends -> JournaledAppends.open(appends, dataDir), "embedded history in " + dataDir,
                DataSources.h2File(dataDir));
    }

    /** {@link #postgres(String, String, String, HistoryOptions, MeterRegistry)} with default pool sizes. */
    public static JdbcHistoryStore postgres(String jdbcUrl, String user, String password) {
        return postgres(jdbcUrl, user, password, HistoryOptions.defaults(), null);
    }

    /**
     * PostgreSQL at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}); schema migrated into
     * the connection's current schema. A commit is durable by itself there (synchronous_commit).
     *
     * @param options  sizes the pools (writer and read threads); pass the service's options
     * @param registry where the pools report HikariCP's meters, or {@code null}
     */
    public static JdbcHistoryStore postgres(String jdbcUrl, String user, String password, HistoryOptions options,
                                            MeterRegistry registry) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(options, "options");
        return open(DataSources.postgres(jdbcUrl, user, password, options, registry), null,
                JdbcHistoryStore::postgresAppends, "PostgreSQL history at " + DataSources.redact(jdbcUrl), null);
    }

    /**
     * @param syncStatement forces the database to disk after a commit; null where a commit is durable by itself
     * @param appender      the backend's appends, on the write pool's transactions
     * @param file          the embedded store's file, or null for a database server
     */
    private static JdbcHistoryStore open(DataSources.Pools pools, String syncStatement,
                                         Function<Transactions, Appender> appender, String description,
                                         Path file) {
        try {
            // The read pool: it has at least two connections, which Flyway needs (one holds its lock).
            SchemaMigrations.apply(pools.read(), description);
            GroupSync forces = syncStatement == null ? null : GroupSync.statement(syncStatement);
            return new JdbcHistoryStore(pools, new Transactions(pools.read(), forces),
                    appender.apply(new Transactions(pools.write(), forces)), description, file);
        } catch (RuntimeException e) {
            pools.close();
            throw e;
        }
    }

    @Override
    public Chat createChatIfAbsent(NewChat chat, OutboxEvent ifCreated) {
        return calls.write("create chat '" + chat.id() + "'", Sync.AFTER_COMMIT,
                c -> ChatSql.createIfAbsent(c, chat, ifCreated));
    }

    @Override
    public Optional<Chat> findChat(String chatId) {
        return calls.read("find chat '" + chatId + "'", c -> ChatSql.find(c, chatId));
    }

    @Override
    public Optional<Chat> findChatByApplication(long applicationId) {
        return calls.read("find chat of application " + applicationId, c -> ChatSql.findByApplication(c, applicationId));
    }

    @Override
    public List<Chat> chatsOf(String userId, int limit) {
        requirePositive(limit);
        return calls.read("list chats of user '" + userId + "'", c -> ChatSql.ofUser(c, userId, limit));
    }

    @Override
    public List<Chat> chatsOfKind(ChatKind kind, int limit) {
        requirePositive(limit);
        return calls.read("list chats of kind " + kind.wireName(), c -> ChatSql.ofKind(c, kind, limit));
    }

    @Override
    public Set<String> members(String chatId) {
        return calls.read("list members of chat '" + chatId + "'", c -> ChatSql.members(c, chatId));
    }

    @Override
    public Set<String> contactsOf(String userId, int chatLimit) {
        requirePositive(chatLimit);
        return calls.read("contacts of user '" + userId + "'", c -> ChatSql.contactsOf(c, userId, chatLimit));
    }

    @Override
    public boolean addMember(String chatId, String userId, OutboxEvent ifAdded) {
        return calls.write("add member to chat '" + chatId + "'", Sync.AFTER_COMMIT,
                c -> announced(c, ChatSql.addMember(c, chatId, userId, Instant.now()), ifAdded));
    }

    @Override
    public boolean removeMember(String chatId, String userId, OutboxEvent ifRemoved) {
        return calls.write("remove member from chat '" + chatId + "'", Sync.AFTER_COMMIT,
                c -> announced(c, ChatSql.removeMember(c, chatId, userId), ifRemoved));
    }

    @Override
    public Optional<Chat> closeChat(String chatId, Instant at, OutboxEvent ifClosed) {
        return calls.write("close chat '" + chatId + "'", Sync.AFTER_COMMIT, c -> {
            announced(c, ChatSql.close(c, chatId, at), ifClosed);
            return ChatSql.find(c, chatId);
        });
    }

    /** Writes the event when the change happened; returns whether it did. */
    private static boolean announced(Connection c, boolean changed, OutboxEvent event) throws SQLException {
        if (changed && event != null) {
            OutboxSql.insert(c, event);
        }
        return changed;
    }

    @Override
    public Instant revokeTokens(String userId, Instant before) {
        return calls.write("revoke tokens of user '" + userId + "'", Sync.AFTER_COMMIT,
                c -> RevocationSql.revoke(c, userId, before));
    }

    @Override
    public Map<String, Instant> revocations() {
        return calls.read("revocations", RevocationSql::all);
    }

    @Override
    public List<OutboxEntry> claimWebhooks(Instant now, Instant claimUntil, int limit) {
        requirePositive(limit);
        return calls.write("claim webhook events", Sync.NONE, c -> OutboxSql.claim(c, now, claimUntil, limit, sharedByNodes));
    }

    @Override
    public void webhookDelivered(long eventId) {
        calls.write("webhook event " + eventId + " delivered", Sync.NONE, c -> {
            OutboxSql.delivered(c, eventId);
            return null;
        });
    }

    @Override
    public void webhookDelivered(Collection<Long> eventIds) {
        if (eventIds.isEmpty()) {
            return;
        }
        calls.write(eventIds.size() + " webhook events delivered", Sync.NONE, c -> {
            OutboxSql.delivered(c, eventIds);
            return null;
        });
    }

    @Override
    public void webhookFailed(long eventId, int attempts, Instant retryAt, String error, boolean dead) {
        calls.write("webhook event " + eventId + " failed", Sync.AFTER_COMMIT, c -> {
            OutboxSql.failed(c, eventId, attempts, retryAt, error, dead);
            return null;
        });
    }

    @Override
    public WebhookBacklog webhookBacklog() {
        return calls.read("webhook backlog", OutboxSql::backlog);
    }

    @Override
    public List<Message> append(List<NewMessage> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        return appender.append("append of " + batch.size() + " message(s)", batch);
    }

    @Override
    public List<Message> page(String chatId, Long beforeMessageId, int limit) {
        requirePositive(limit);
        return calls.read("page of chat '" + chatId + "'", c -> MessageSql.page(c, chatId, beforeMessageId, limit));
    }

    @Override
    public List<Message> after(String chatId, long afterSeq, int limit) {
        requirePositive(limit);
        return calls.read("messages of chat '" + chatId + "' after seq " + afterSeq,
                c -> MessageSql.after(c, chatId, afterSeq, limit));
    }

    @Override
    public Optional<Message> findMessage(long messageId) {
        return calls.read("find message " + messageId, c -> MessageSql.find(c, messageId));
    }

    /**
     * Not forced to disk on H2 (no fsync): a cursor lost to a crash only shows a few messages
     * as unread again, and cursors move far more often than anything else is written.
     */
    @Override
    public boolean advanceReadCursor(String chatId, String userId, long seq) {
        if (seq <= 0) {
            return false; // 0 is where every cursor starts
        }
        return calls.write("move read cursor in chat '" + chatId + "'", Sync.NONE,
                c -> ReadStateSql.advance(c, chatId, userId, seq));
    }

    @Override
    public Map<String, Long> readCursors(String chatId) {
        return calls.read("read cursors of chat '" + chatId + "'", c -> ReadStateSql.cursors(c, chatId));
    }

    @Override
    public List<UnreadCount> unreadCounts(String userId) {
        return calls.read("unread counts of user '" + userId + "'", c -> ReadStateSql.unread(c, userId));
    }

    @Override
    public Optional<Message> edit(long messageId, String content, Instant at) {
        Objects.requireNonNull(content, "content");
        return calls.write("edit message " + messageId, Sync.AFTER_COMMIT, c ->
                MessageSql.updateContent(c, messageId, content, at)
                        ? MessageSql.find(c, messageId)
                        : Optional.empty());
    }

    /** Idempotent: a message deleted before is returned as it is, its updatedAt unchanged. */
    @Override
    public Optional<Message> softDelete(long messageId, Instant at) {
        return calls.write("delete message " + messageId, Sync.AFTER_COMMIT, c -> {
            MessageSql.markDeleted(c, messageId, at);
            return MessageSql.find(c, messageId);
        });
    }

    @Override
    public void addAttachment(StoredAttachment attachment) {
        calls.write("add attachment " + attachment.attachment().id(), Sync.AFTER_COMMIT, c -> {
            AttachmentSql.insert(c, attachment);
            return null;
        });
    }

    @Override
    public Optional<StoredAttachment> findAttachment(String attachmentId) {
        return calls.read("find attachment " + attachmentId, c -> AttachmentSql.find(c, attachmentId));
    }

    @Override
    public List<StoredAttachment> dueAttachments(Instant now, int limit) {
        requirePositive(limit);
        return calls.read("attachments due", c -> AttachmentSql.due(c, now, limit));
    }

    /** Not forced to disk on H2: a deletion lost to a crash is found due again. */
    @Override
    public boolean deleteDueAttachment(String attachmentId, Instant now) {
        return calls.write("delete attachment " + attachmentId, Sync.NONE,
                c -> AttachmentSql.deleteDue(c, attachmentId, now));
    }

    @Override
    public boolean isHealthy() {
        try (Connection connection = pools.read().getConnection()) {
            return connection.isValid((int) DataSources.VALIDATION_TIMEOUT.toSeconds());
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public OptionalLong fileBytes() {
        if (file == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Files.size(file) + appender.fileBytes());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Closes the pools (for H2 that closes the database: its last connection goes) and the journal. */
    @Override
    public void close() {
        pools.close(); // H2 closes with its last connection, writing everything first
        appender.close();
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
