package io.parley.gateway.webhook;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.support.TestPostgres;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;
import io.parley.storage.JdbcHistoryStore;
import io.parley.storage.OutboxEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a test's outbox lives: an embedded store in a directory of its own, or a fresh
 * PostgreSQL schema; opened (again) as a {@link HistoryService}, as a node opens it. Events are
 * written the way the chat core writes them: in the same commit as the chat or the message.
 */
final class OutboxPlace implements AutoCloseable {
    enum Backend { EMBEDDED, POSTGRES }

    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() << 20);

    private final Backend backend;
    private final Path dataDir;
    private final TestPostgres postgres;

    private OutboxPlace(Backend backend) {
        this.backend = backend;
        try {
            this.dataDir = backend == Backend.EMBEDDED ? Files.createTempDirectory("parley-webhook-") : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.postgres = backend == Backend.POSTGRES ? TestPostgres.createSchema() : null;
    }

    static OutboxPlace of(Backend backend) {
        return new OutboxPlace(backend);
    }

    Backend backend() {
        return backend;
    }

    HistoryStore openStore() {
        return backend == Backend.EMBEDDED ? JdbcHistoryStore.embedded(dataDir)
                : JdbcHistoryStore.postgres(postgres.url(), postgres.user(), postgres.password());
    }

    HistoryService openService() {
        return new HistoryService(openStore(), HistoryOptions.defaults(), new SimpleMeterRegistry());
    }

    /** A plain JDBC connection to the outbox, as an operator's SQL client would have (store closed on H2). */
    Connection sql() throws SQLException {
        if (backend == Backend.EMBEDDED) {
            return DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("parley-history")
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
        }
        return DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
    }

    TestPostgres postgres() {
        return postgres;
    }

    /** Creates a chat with its {@code chat.created} event; returns the event's id. */
    static long chatCreated(HistoryService history, String chatId, String... members) throws Exception {
        long id = IDS.incrementAndGet();
        NewChat chat = new NewChat(chatId, ChatKind.GROUP, members[0], null, "Team", Set.of(members), Instant.now());
        String data = "{\"chat\":{\"id\":\"" + chatId + "\",\"kind\":\"group\"},\"members\":[\""
                + String.join("\",\"", members) + "\"]}";
        get(history.call("test_create", store -> store.createChatIfAbsent(chat,
                new OutboxEvent(id, "chat.created", chatId, null, data, chat.createdAt()))));
        return id;
    }

    /** Appends a message with its {@code message.created} event (the message's id). */
    static Message messageCreated(HistoryService history, String chatId, String sender, String text,
                                  String offlineMember) throws Exception {
        NewMessage message = new NewMessage(IDS.incrementAndGet(), chatId, sender, text, ContentType.TEXT, null,
                Instant.now(), null, "{\"offline_members\":[\"" + offlineMember + "\"]}");
        return get(history.append(message));
    }

    static <T> T get(java.util.concurrent.CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void close() {
        if (postgres != null) {
            postgres.close();
        }
    }
}
