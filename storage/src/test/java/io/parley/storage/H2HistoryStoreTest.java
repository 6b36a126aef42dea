package io.parley.storage;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on the embedded H2 store, a fresh database directory per test. */
class H2HistoryStoreTest extends HistoryStoreContract {

    @TempDir
    Path dataDir;

    @Override
    protected HistoryStore newStore() {
        return JdbcHistoryStore.embedded(dataDir);
    }

    @Test
    void historySurvivesCloseAndReopen() {
        String alice = user();
        Chat chat = newGroup(alice);
        List<Message> written = appendNumbered(chat, alice, 3);
        store.advanceReadCursor(chat.id(), alice, 2);
        Chat before = store.findChat(chat.id()).orElseThrow();
        store.close();

        store = JdbcHistoryStore.embedded(dataDir); // migrations find the schema current: no-op
        assertThat(store.findChat(chat.id())).contains(before);
        assertThat(store.after(chat.id(), 0, 10)).isEqualTo(written);
        assertThat(store.readCursors(chat.id())).containsEntry(alice, 2L);
        assertThat(store.append(List.of(message(chat.id(), alice, "m4", T0))).get(0).seq()).isEqualTo(4);
    }

    @Test
    void theFileStopsGrowingUnderASteadyStreamOfSmallCommits() throws Exception {
        // H2 reuses the space of pages a commit replaced only after RETENTION_TIME (45 s by
        // default), shortened here so that the steady state comes within seconds. What is checked
        // is that those pages are reclaimed at all: they are only when H2's background writer runs
        // (WRITE_DELAY above 0); without it the file grew by a few KB per commit for ever.
        try (Connection c = DriverManager.getConnection(DataSources.h2Url(dataDir), "sa", "");
             Statement s = c.createStatement()) {
            s.execute("SET RETENTION_TIME 500");
        }
        String alice = user();
        Chat chat = newGroup(alice);
        Path file = DataSources.h2File(dataDir);
        int commitsPerStep = 1_000;
        appendOneByOne(chat, alice, commitsPerStep); // to the steady state
        long settled = Files.size(file);
        assertThat(store.fileBytes()).hasValue(settled + Files.size(dataDir.resolve(JournaledAppends.JOURNAL_FILE)));
        appendOneByOne(chat, alice, 2 * commitsPerStep);
        long grown = Files.size(file) - settled;
        // Each commit rewrites a few KB of pages; with them never reclaimed the file would grow by
        // several MB here, while the rows themselves take a few hundred KB.
        assertThat(grown).as("bytes the file grew by over %d more commits (from %d)", 2 * commitsPerStep, settled)
                .isLessThan(2 * commitsPerStep * 1_024L);
    }

    /** One commit per message, at most 250 a second: the retention time spans a few hundred commits. */
    private void appendOneByOne(Chat chat, String sender, int count) {
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            next += TimeUnit.MILLISECONDS.toNanos(4);
            LockSupport.parkNanos(next - System.nanoTime());
            store.append(List.of(message(chat.id(), sender, "steady " + i, T0)));
        }
    }

    @Test
    void anUpgradeMovesTheClientIdsOutOfTheMessagesIndex() throws Exception {
        String alice = user();
        Chat chat = newGroup(alice);
        Message first = store.append(List.of(withClientId(message(chat.id(), alice, "hi", T0), "c-1"))).get(0);
        store.close();
        // Back to what a database at schema 5 looks like: the ids only in the messages index.
        try (Connection c = DriverManager.getConnection(DataSources.h2Url(dataDir), "sa", "");
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE message_client_ids");
            s.execute("CREATE UNIQUE INDEX messages_client_id_key ON messages (chat_id, sender_id, client_message_id)");
            s.execute("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '5.1'");
        }

        store = JdbcHistoryStore.embedded(dataDir); // applies V5_1 again

        NewMessage retry = withClientId(message(chat.id(), alice, "hi, again", T0.plusSeconds(1)), "c-1");
        assertThat(store.append(List.of(retry)).get(0)).as("the id moved with its message").isEqualTo(first);
        assertThat(store.after(chat.id(), 0, 10)).hasSize(1);
    }

    @Test
    void theJournalStartsOverOnceItHoldsACheckpointsWorthOfAppends() throws Exception {
        String alice = user();
        Chat chat = newGroup(alice);
        Path journal = dataDir.resolve(JournaledAppends.JOURNAL_FILE);
        long epochAtOpen = journalEpoch(journal);
        String content = "x".repeat(4_000);
        int messages = 0;
        while ((long) messages * content.length() < JournaledAppends.CHECKPOINT_BYTES + 4_000 * 100L) {
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(message(chat.id(), alice, content, T0));
            }
            store.append(batch);
            messages += batch.size();
        }
        assertThat(journalEpoch(journal)).as("H2 was forced and the journal started over").isEqualTo(epochAtOpen + 1);
        assertThat(Files.size(journal)).as("written over in place, not grown")
                .isLessThan(JournaledAppends.CHECKPOINT_BYTES + 2 * 100 * 4_100L);
        store.close();

        store = JdbcHistoryStore.embedded(dataDir);
        assertThat(store.after(chat.id(), messages - 1, 10)).extracting(Message::seq).containsExactly((long) messages);
    }

    /** The epoch in the journal's header (after its magic number). */
    private static long journalEpoch(Path journal) throws Exception {
        return ByteBuffer.wrap(Files.readAllBytes(journal), 4, 8).getLong();
    }
}
