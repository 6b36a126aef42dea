package io.parley.storage;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

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
}
