package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.Transactions.Sync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded store's appends: each group commit is committed in H2 without forcing H2 to disk,
 * then made durable by the {@link AppendJournal} before it is acknowledged. H2 is forced once per
 * {@link #CHECKPOINT_BYTES} of journal instead of once per commit, and between checkpoints its
 * background writer writes what was committed within half a second.
 *
 * <p>At open, the batches of the journal that a crash kept out of H2 are committed again, with
 * the sequences they were acknowledged with: H2 keeps a prefix of its commits, and one writer
 * commits a chat's batches one after the other, so a lost batch finds its chats' counters where
 * they were when it was first committed. Not always so: after some kills H2 holds part of a
 * commit, and this replay then skips or refuses a batch (docs/storage.md, "Known gap"); the
 * mend is a redo of each journaled message that inserts only what is missing.
 */
final class JournaledAppends implements JdbcHistoryStore.Appender {

    /** The journal's file name inside the data directory, beside H2's file. */
    static final String JOURNAL_FILE = "parley-history.journal";

    /** Journal bytes after which H2 is forced and the journal starts over: bounds replay at start. */
    static final long CHECKPOINT_BYTES = 8L << 20;

    private static final Logger log = LoggerFactory.getLogger(JournaledAppends.class);

    private final Transactions appends;
    private final AppendJournal journal;

    private JournaledAppends(Transactions appends, AppendJournal journal) {
        this.appends = appends;
        this.journal = journal;
    }

    /** Opens the journal in {@code dataDir} and commits again what a crash kept out of H2. */
    static JournaledAppends open(Transactions appends, Path dataDir) {
        AppendJournal journal = AppendJournal.open(dataDir.resolve(JOURNAL_FILE));
        try {
            JournaledAppends opened = new JournaledAppends(appends, journal);
            opened.replay();
            return opened;
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    // Repeated sends are taken out first (RepeatedSends). The lookup runs in the append's
    // transaction, and one process writes each chat from one writer, so nothing can come between.
    @Override
    public List<Message> append(String what, List<NewMessage> batch) {
        if (journal.bytes() >= CHECKPOINT_BYTES) {
            // The checkpoint after an earlier batch failed: none is taken until one succeeds (the
            // send fails with the reason), so the journal never holds more than a checkpoint's
            // worth and one batch.
            checkpoint("history checkpoint before " + what);
        }
        List<AppendJournal.Entry> fresh = new ArrayList<>(batch.size());
        List<Message> answers = appends.write(what, Sync.NONE, c -> RepeatedSends.append(batch,
                keys -> MessageSql.findByClientIds(c, keys), newMessages -> {
                    List<Message> committed = insert(c, newMessages);
                    for (int i = 0; i < committed.size(); i++) {
                        fresh.add(new AppendJournal.Entry(newMessages.get(i), committed.get(i).seq()));
                    }
                    return committed;
                }));
        if (!fresh.isEmpty()) {
            makeDurable(what, fresh);
        }
        return answers;
    }

    @Override
    public long fileBytes() {
        return journal.fileBytes();
    }

    @Override
    public void close() {
        journal.close();
    }

    private static List<Message> insert(Connection c, List<NewMessage> messages) throws SQLException {
        List<Message> committed = MessageSql.append(c, messages);
        OutboxSql.insertMessages(c, messages);
        return committed;
    }

    private void makeDurable(String what, List<AppendJournal.Entry> committed) {
        try {
            journal.append(committed);
        } catch (IOException e) {
            // Committed in H2 but on no disk yet: forcing H2 makes it durable, as a checkpoint does.
            log.warn("{}: writing the history journal failed ({}); forcing the store instead", what, e.toString());
            checkpoint(what);
            return;
        }
        if (journal.bytes() >= CHECKPOINT_BYTES) {
            try {
                checkpoint("history checkpoint");
            } catch (StoreException e) { // this batch is durable in the journal: the next append tries again
                log.warn("history checkpoint failed: {}", e.toString());
            }
        }
    }

    private void checkpoint(String what) {
        try {
            journal.checkpoint(() -> appends.sync(what));
        } catch (IOException e) {
            throw new StoreException(what + ": the history journal could not start over: " + e, e);
        }
    }

    private void replay() {
        List<List<AppendJournal.Entry>> batches = journal.recovered();
        int journaledBatches = batches.size(); // the checkpoint below empties the list
        int replayedBatches = 0;
        int replayedMessages = 0;
        for (List<AppendJournal.Entry> batch : batches) {
            if (replay(batch)) {
                replayedBatches++;
                replayedMessages += batch.size();
            }
        }
        checkpoint("history journal replay");
        if (replayedBatches > 0) {
            log.info("history journal: {} of {} batch(es), {} message(s), were not in the store after a crash;"
                    + " committed again", replayedBatches, journaledBatches, replayedMessages);
        }
    }

    /** @return true if the batch was missing from H2 and is committed now */
    private boolean replay(List<AppendJournal.Entry> batch) {
        return appends.write("replay of a journaled batch", Sync.NONE, c -> {
            // Taken as atomic: the first message tells whether H2 kept the commit (see the class
            // comment for when that fails).
            if (MessageSql.find(c, batch.get(0).message().id()).isPresent()) {
                return false;
            }
            List<NewMessage> messages = new ArrayList<>(batch.size());
            for (AppendJournal.Entry entry : batch) {
                messages.add(entry.message());
            }
            List<Message> committed = insert(c, messages);
            for (int i = 0; i < batch.size(); i++) {
                if (committed.get(i).seq() != batch.get(i).seq()) {
                    throw new StoreException("history journal replay: message " + batch.get(i).message().id()
                            + " in chat '" + batch.get(i).message().chatId() + "' would get sequence "
                            + committed.get(i).seq() + " but was acknowledged with " + batch.get(i).seq());
                }
            }
            return true;
        });
    }
}
