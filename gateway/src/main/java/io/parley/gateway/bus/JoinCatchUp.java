package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.Message;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Closes the join race of a cluster. A user joins a chat on this node; another node's member
 * cache lists them only once the join broadcast reaches it, so a message committed there in that
 * instant is routed without them, and without any other member here, this node never hears of it.
 *
 * <p>So at the join this node reads the chat's last sequence (before the join is answered: the
 * page the user reads next has everything up to it) and tracks the chat from there; one reorder
 * window later it reads what was committed since and hands it to the {@link ChatSequencer}, which
 * drops what it already delivered. Joins are rare: two small reads each.
 */
final class JoinCatchUp {
    private static final Logger log = LoggerFactory.getLogger(JoinCatchUp.class);

    private final ChatSequencer sequencer;
    private final HistoryService history;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final LongPredicate committedHere;

    /** @param committedHere true for the id of a message this node committed (and so publishes itself) */
    JoinCatchUp(ChatSequencer sequencer, HistoryService history, ClusterOptions options, BusMetrics metrics,
                LongPredicate committedHere) {
        this.sequencer = sequencer;
        this.committedHere = committedHere;
        this.history = history;
        this.options = options;
        this.metrics = metrics;
    }

    /** Completes once the chat is tracked from its last sequence, or failed to be; the join stands either way. */
    CompletableFuture<Void> joined(String chatId, String userId) {
        // Before the read: whatever arrives here after it reaches the new member, however routed.
        sequencer.joining(chatId, userId);
        return history.call("bus_join_last_seq", store -> lastSeq(store, chatId))
                .thenAccept(lastSeq -> {
                    sequencer.trackFrom(chatId, lastSeq);
                    CompletableFuture.delayedExecutor(options.reorderWindow().toNanos(), TimeUnit.NANOSECONDS)
                            .execute(() -> catchUp(chatId, lastSeq));
                })
                .exceptionally(failure -> {
                    failed(chatId, failure);
                    return null;
                });
    }

    private void catchUp(String chatId, long lastSeq) {
        history.call("bus_join_catch_up", store -> new Since(store.after(chatId, lastSeq, options.gapFillLimit()),
                        store.members(chatId)))
                .whenComplete((since, failure) -> {
                    if (failure != null) {
                        failed(chatId, failure);
                        return;
                    }
                    // Only messages of other nodes: one committed here is published here, to the
                    // joiners too, and its copy from history, not knowing the sending connection,
                    // would be pushed to its sender as well as answered.
                    for (Message message : since.messages()) {
                        if (!committedHere.test(message.id())) {
                            sequencer.accept(new Envelope(new ChatEvent.MessagePosted(message), since.members(), 0));
                        }
                    }
                });
    }

    private void failed(String chatId, Throwable failure) {
        metrics.error("join_catch_up");
        log.debug("join catch-up of chat {} failed: {}", chatId, failure.toString());
    }

    private static long lastSeq(HistoryStore store, String chatId) {
        List<Message> newest = store.page(chatId, null, 1);
        return newest.isEmpty() ? 0 : newest.get(0).seq();
    }

    private record Since(List<Message> messages, Set<String> members) {
    }
}
