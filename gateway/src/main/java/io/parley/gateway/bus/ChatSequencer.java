package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.Message;
import io.parley.storage.HistoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Hands each chat's new messages to this node's connections in sequence order, each once, however
 * they arrive: committed here (the history writer) or on another node (Redis), which can overtake
 * each other when two nodes accept messages for one chat at the same moment.
 *
 * <p>Per chat it remembers the last sequence delivered. The next one is delivered at once; a later
 * one is held (bounded) for {@link ClusterOptions#reorderWindow()}, and if the gap has not closed
 * by then, the missing messages are read from history ({@code HistoryStore.after}) — they are
 * committed before anyone publishes them, so history has them. Anything at or below the delivered
 * sequence is a duplicate and dropped. Sequences come from the PostgreSQL commit and never
 * repeat, so this holds across Redis restarts.
 *
 * <p>A chat seen for the first time (or not delivered for {@link ClusterOptions#staleChatAfter()})
 * has no known predecessor: if the first arrival's predecessor does not arrive within one reorder
 * window, history is asked, and the chat starts with the messages committed within
 * {@link ClusterOptions#firstSightHorizon()} before the first arrival (they were on their way);
 * what came before is the members' to page or resume from history.
 *
 * <p>A user who joins a chat on this node ({@link #joining}) gets every message of the chat this
 * node delivers from then on, whatever recipients it was routed with: another node may route a
 * few with its member list from before the join ({@link JoinCatchUp}).
 *
 * <p>A message this node committed reaches the sequencer twice over at most: by its own
 * publication, which carries its sender's answer ({@link Envelope#originAck}), and possibly from a
 * history read that got ahead of that publication (the writer publishes a commit's messages one
 * after another). The copy from history does not know the sending connection, so delivered it
 * would be pushed to the sender as well as answered: a fill that meets such a message waits one
 * more reorder window for the node's own copy, and delivers the one from history only if none
 * came (the send was answered 503 before its commit finished, so nobody publishes it).
 *
 * <p>Events other than new messages (edits, reads, typing, presence) carry no sequence and pass
 * straight through. Thread-safe: a chat's state is guarded by its own lock; deliveries never block.
 */
final class ChatSequencer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatSequencer.class);
    private static final long UNKNOWN = -1;

    private final Consumer<Envelope> delivery;
    private final HistoryService history;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final ScheduledExecutorService timers;
    private final LongPredicate committedHere;
    private final Map<String, ChatOrder> chats;
    private final AtomicInteger heldTotal = new AtomicInteger();

    /** @param committedHere true for the id of a message this node committed (and so publishes itself) */
    ChatSequencer(Consumer<Envelope> delivery, HistoryService history, ClusterOptions options, BusMetrics metrics,
                  LongPredicate committedHere) {
        this.delivery = delivery;
        this.committedHere = committedHere;
        this.history = history;
        this.options = options;
        this.metrics = metrics;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-bus-sequencer");
            t.setDaemon(true);
            return t;
        });
        int capacity = options.maxTrackedChats();
        // Least recently used first out, but never a chat still holding messages.
        this.chats = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ChatOrder> eldest) {
                return size() > capacity && eldest.getValue().heldCount == 0;
            }
        };
        metrics.gauge("parley.bus.held", "Messages waiting in the reorder buffer for a missing predecessor",
                heldTotal::get);
        metrics.gauge("parley.bus.tracked.chats", "Chats whose delivered sequence this node remembers", this::trackedChats);
    }

    /** Delivers or holds the event; callable from any thread. */
    void accept(Envelope envelope) {
        if (!(envelope.event() instanceof ChatEvent.MessagePosted posted)) {
            deliver(envelope);
            return;
        }
        ChatOrder order = order(posted.chatId());
        synchronized (order) {
            order.arrived(envelope, posted.message().seq());
        }
    }

    /** The user joined the chat here: from now on every message of it delivered here reaches them too. */
    void joining(String chatId, String userId) {
        ChatOrder order = order(chatId);
        synchronized (order) {
            order.joiners.add(userId);
        }
    }

    /**
     * Tracks a chat this node has not seen yet from {@code lastSeq} (its last sequence at a join
     * here), so that later arrivals are checked against it and gaps filled from history, rather
     * than seen for the first time.
     */
    void trackFrom(String chatId, long lastSeq) {
        ChatOrder order = order(chatId);
        synchronized (order) {
            if (order.delivered == UNKNOWN && order.held.isEmpty()) {
                order.start(lastSeq);
                order.lastDeliveryNanos = System.nanoTime();
            }
        }
    }

    private ChatOrder order(String chatId) {
        synchronized (chats) {
            return chats.computeIfAbsent(chatId, ChatOrder::new);
        }
    }

    int held() {
        return heldTotal.get();
    }

    private int trackedChats() {
        synchronized (chats) {
            return chats.size();
        }
    }

    private void deliver(Envelope envelope) {
        try {
            delivery.accept(envelope);
        } catch (RuntimeException e) {
            log.error("delivery of {} failed", envelope.event().getClass().getSimpleName(), e);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }

    /** One chat's order. Every method runs under the object's lock. */
    private final class ChatOrder {
        private final String chatId;
        private final NavigableMap<Long, Envelope> held = new TreeMap<>();
        /** Read without the lock by the LRU eviction. */
        private volatile int heldCount;
        private long delivered = UNKNOWN;
        /** Sequences below this were before this node tracked the chat. */
        private long firstTracked = Long.MAX_VALUE;
        private long lastDeliveryNanos;
        private ScheduledFuture<?> timer;
        private boolean filling;
        private int failedFills;
        /** A message of this node's that a history read met before its own publication arrived. */
        private long awaitedOwnCopy = UNKNOWN;
        /** Users who joined the chat on this node; a few at most (staff joining a conversation). */
        private final Set<String> joiners = new HashSet<>(2);

        ChatOrder(String chatId) {
            this.chatId = chatId;
        }

        void arrived(Envelope envelope, long seq) {
            if (delivered != UNKNOWN && held.isEmpty() && seq > delivered + 1
                    && System.nanoTime() - lastDeliveryNanos > options.staleChatAfter().toNanos()) {
                delivered = UNKNOWN; // quiet for long: see it afresh rather than push old messages
            }
            if (delivered == UNKNOWN && seq == 1) {
                start(0);
            }
            if (delivered == UNKNOWN) {
                hold(seq, envelope);
                schedule();
                return;
            }
            if (seq <= delivered) {
                if (seq < firstTracked) {
                    metrics.lateDelivery(); // a straggler from before tracking began: late beats lost
                    out(envelope);
                } else {
                    dropDuplicate(envelope);
                }
                return;
            }
            if (seq == delivered + 1) {
                deliverNext(envelope, seq);
                drain();
                return;
            }
            hold(seq, envelope);
            if (held.size() > options.maxHeldPerChat()) {
                skipGap(); // the buffer is full: deliver what we have in order; the rest is in history
            } else if (heldTotal.get() > options.maxHeldTotal()) {
                cancelTimer();
                fill();
            } else {
                schedule();
            }
        }

        /** Delivers, adding the users who joined here if it was routed without them. */
        private void out(Envelope envelope) {
            if (envelope.recipients().containsAll(joiners)) {
                deliver(envelope);
                return;
            }
            Set<String> recipients = new HashSet<>(envelope.recipients());
            recipients.addAll(joiners);
            deliver(envelope.to(recipients));
        }

        private void start(long before) {
            delivered = before;
            firstTracked = before + 1;
        }

        private void hold(long seq, Envelope envelope) {
            Envelope before = held.putIfAbsent(seq, envelope);
            if (before == null) {
                heldTotal.incrementAndGet();
                heldCount = held.size();
            } else if (before.originSessionId() == 0 && envelope.originSessionId() != 0) {
                held.put(seq, envelope); // the copy that answers its sender goes out, the other is dropped
                dropDuplicate(before);
            } else {
                dropDuplicate(envelope);
            }
        }

        /**
         * A copy of a message already delivered (or held): only its sender's answer, if it carries
         * one, is still owed — a history read (gap fill, join catch-up) can overtake the commit's own
         * publication. Delivered to nobody else.
         */
        private void dropDuplicate(Envelope envelope) {
            metrics.duplicate();
            if (envelope.originSessionId() != 0) {
                deliver(envelope.to(Set.of()));
            }
        }

        private void deliverNext(Envelope envelope, long seq) {
            out(envelope);
            delivered = seq;
            lastDeliveryNanos = System.nanoTime();
        }

        /** Delivers held messages that are next in line; drops held duplicates. */
        private void drain() {
            while (!held.isEmpty() && held.firstKey() <= delivered + 1) {
                Map.Entry<Long, Envelope> first = held.pollFirstEntry();
                heldTotal.decrementAndGet();
                if (first.getKey() == delivered + 1) {
                    deliverNext(first.getValue(), first.getKey());
                } else {
                    dropDuplicate(first.getValue());
                }
            }
            heldCount = held.size();
            if (held.isEmpty()) {
                cancelTimer();
                failedFills = 0;
            }
        }

        private void schedule() {
            if (timer == null && !filling) {
                timer = timers.schedule(this::windowElapsed, options.reorderWindow().toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void windowElapsed() {
            synchronized (this) {
                timer = null;
                if (held.isEmpty()) {
                    return;
                }
                if (delivered == UNKNOWN) {
                    probe();
                } else {
                    fill();
                }
            }
        }

        /** First sight: which recent predecessors of the first arrival are still on their way? */
        private void probe() {
            if (filling) {
                return;
            }
            long first = held.firstKey();
            Envelope firstHeld = held.firstEntry().getValue();
            Instant since = ((ChatEvent.MessagePosted) firstHeld.event()).message().createdAt()
                    .minus(options.firstSightHorizon());
            int limit = (int) Math.min(first - 1, options.gapFillLimit());
            filling = true;
            history.call("bus_first_sight", store -> store.after(chatId, first - 1 - limit, limit))
                    .whenComplete((messages, failure) -> {
                        synchronized (this) {
                            probed(messages, failure, first, since, firstHeld.recipients());
                        }
                    });
        }

        private void probed(List<Message> messages, Throwable failure, long first, Instant since, Set<String> recipients) {
            filling = false;
            if (delivered == UNKNOWN) {
                if (failure != null) {
                    metrics.error("gap_fill");
                    messages = List.of();
                }
                // The recent, contiguous tail just before the first arrival was still on its way.
                int from = messages.size();
                long expected = first - 1;
                while (from > 0 && messages.get(from - 1).seq() == expected
                        && !messages.get(from - 1).createdAt().isBefore(since)) {
                    from--;
                    expected--;
                }
                start(expected);
                metrics.gapsFilled(deliverFromHistory(messages.subList(from, messages.size()), recipients));
            }
            drain();
            if (!held.isEmpty()) {
                schedule();
            }
        }

        /**
         * Delivers the messages read from history that are next in line, until one of this node's
         * own whose publication has not arrived yet (waited for once); returns how many went out.
         */
        private int deliverFromHistory(List<Message> messages, Set<String> recipients) {
            int count = 0;
            for (Message message : messages) {
                if (message.seq() != this.delivered + 1) {
                    continue;
                }
                Envelope own = held.remove(message.seq());
                if (own != null) { // arrived while the read was on its way: it answers its sender
                    heldTotal.decrementAndGet();
                    heldCount = held.size();
                    deliverNext(own, message.seq());
                } else if (committedHere.test(message.id()) && awaitedOwnCopy != message.seq()) {
                    awaitedOwnCopy = message.seq();
                    break;
                } else {
                    deliverNext(new Envelope(new ChatEvent.MessagePosted(message), recipients, 0), message.seq());
                }
                count++;
            }
            return count;
        }

        /** Reads the missing messages (after {@code delivered}, before the first held) from history. */
        private void fill() {
            if (filling || held.isEmpty()) {
                return;
            }
            long after = delivered;
            int limit = (int) Math.min(held.firstKey() - 1 - after, options.gapFillLimit());
            if (limit <= 0) {
                drain();
                return;
            }
            filling = true;
            Set<String> recipients = held.firstEntry().getValue().recipients();
            history.call("bus_gap_fill", store -> store.after(chatId, after, limit))
                    .whenComplete((messages, failure) -> {
                        synchronized (this) {
                            filled(messages, failure, recipients);
                        }
                    });
        }

        private void filled(List<Message> messages, Throwable failure, Set<String> recipients) {
            filling = false;
            int recovered = 0;
            if (failure != null) {
                metrics.error("gap_fill");
                log.debug("gap fill for chat {} failed: {}", chatId, failure.toString());
            } else {
                recovered = deliverFromHistory(messages, recipients);
                metrics.gapsFilled(recovered);
            }
            drain();
            if (held.isEmpty()) {
                return;
            }
            if (awaitedOwnCopy == delivered + 1) {
                schedule(); // this node's own copy is on its way: one more window
            } else if (recovered == 0 && ++failedFills >= options.gapFillAttempts()) {
                skipGap();
            } else if (recovered > 0) {
                fill(); // progress: the gap was longer than one read
            } else {
                schedule();
            }
        }

        /** Gives up on the missing messages (they stay in history) and delivers the held ones. */
        private void skipGap() {
            cancelTimer();
            long missing = held.firstKey() - 1 - delivered;
            metrics.gapsSkipped(missing);
            log.warn("chat {}: {} message(s) after seq {} not delivered live (history unavailable or buffer full); "
                    + "clients get them from history", chatId, missing, delivered);
            delivered = held.firstKey() - 1;
            failedFills = 0;
            drain();
        }
    }
}
