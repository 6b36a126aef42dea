package io.parley.storage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * The process {@link EmbeddedStoreCrashTest} kills: appends to a few chats of an embedded store
 * through the history service (its group-commit writers) as fast as it acknowledges, and prints
 * one line per acknowledged message, {@code ack <id> <chat> <seq> <client message id or ->}, after
 * the acknowledgement.
 */
public final class CrashingWriter {

    static final String READY = "ready";
    static final String SENDER = "writer";

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int chats = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        JdbcHistoryStore store = JdbcHistoryStore.embedded(dataDir);
        HistoryService history = new HistoryService(store, HistoryOptions.defaults(), new SimpleMeterRegistry());
        for (int i = 0; i < chats; i++) {
            store.createChatIfAbsent(new NewChat(chatId(i), ChatKind.GROUP, SENDER, null, null, Set.of(SENDER),
                    Instant.now()), null);
        }
        synchronized (out) {
            out.println(READY);
            out.flush();
        }
        Random random = new Random(seed);
        Semaphore inFlight = new Semaphore(64); // several per chat: group commits of several messages
        long nextId = seed * 1_000_000_000L;
        while (true) {
            inFlight.acquire();
            int chat = random.nextInt(chats);
            long id = ++nextId;
            boolean withClientId = random.nextBoolean();
            NewMessage message = new NewMessage(id, chatId(chat), SENDER, "message " + id, ContentType.TEXT, null,
                    Instant.now(), withClientId ? "client-" + id : null,
                    random.nextInt(4) == 0 ? "{\"n\":" + id + "}" : null); // some announced by a webhook
            history.append(message).whenComplete((stored, failure) -> {
                inFlight.release();
                if (failure == null) {
                    synchronized (out) {
                        out.println("ack " + stored.id() + " " + stored.chatId() + " " + stored.seq() + " "
                                + (message.clientMessageId() == null ? "-" : message.clientMessageId()));
                        out.flush();
                    }
                }
            });
        }
    }

    static String chatId(int i) {
        return "crash-chat-" + i;
    }
}
