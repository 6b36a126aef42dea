package io.parley.storage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway nodes on one PostgreSQL database: two stores, each with its own pools, appending
 * at once to the same chats. Every append must succeed (a deadlock would fail one after
 * PostgreSQL's deadlock_timeout), no per-chat sequence may be handed out twice, nothing
 * acknowledged may be missing, and each chat must hold exactly the sequences 1..N.
 */
@Timeout(120)
class PostgresConcurrentAppendTest {

    private static final Instant T0 = Instant.parse("2026-05-06T07:08:09Z");
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() * 1_000);
    private static final int CHATS = 6;
    private static final int THREADS_PER_NODE = 4;

    private static PostgresTestServers.Server server;
    private static String schema;

    @BeforeAll
    static void createSchema() {
        server = PostgresTestServers.shared();
        schema = PostgresTestServers.newSchema(server);
    }

    @AfterAll
    static void dropSchema() {
        PostgresTestServers.dropSchema(server, schema);
    }

    @Test
    void twoStoresAppendingOverlappingBatchesInDifferentOrdersNeitherCollideNorDeadlock() throws Exception {
        int rounds = 100;
        try (HistoryStore nodeA = newStore(); HistoryStore nodeB = newStore()) {
            List<String> chats = newChats(nodeA);
            List<HistoryStore> nodes = List.of(nodeA, nodeB);
            Collection<Message> acked = new ConcurrentLinkedQueue<>();

            runAtOnce(2 * THREADS_PER_NODE, writer -> () -> {
                HistoryStore node = nodes.get(writer % 2);
                Random random = new Random(writer);
                for (int round = 0; round < rounds; round++) {
                    String tag = "w" + writer + "-r" + round + "-";
                    // Every batch touches every chat, twice, in an order of its own: forwards on one
                    // writer, backwards on another, shuffled on the rest.
                    List<String> order = new ArrayList<>(chats);
                    if (writer == 1) {
                        Collections.reverse(order);
                    } else if (writer > 1) {
                        Collections.shuffle(order, random);
                    }
                    List<NewMessage> batch = new ArrayList<>();
                    for (int copy = 0; copy < 2; copy++) {
                        order.forEach(chat -> batch.add(message(chat, tag + batch.size())));
                    }
                    acked.addAll(node.append(batch));
                }
                return null;
            });

            assertEveryChatHoldsExactlyWhatWasAcknowledged(nodeB, chats, acked,
                    2 * THREADS_PER_NODE * rounds * 2 * CHATS);
        }
    }

    @Test
    void twoHistoryServicesGroupCommittingToTheSameChatsLoseNothing() throws Exception {
        int perSender = 150;
        HistoryOptions options = HistoryOptions.builder().writerThreads(2).lingerMicros(500).build();
        HistoryStore storeA = newStore();
        HistoryStore storeB = newStore();
        try (HistoryService nodeA = new HistoryService(storeA, options, new SimpleMeterRegistry());
             HistoryService nodeB = new HistoryService(storeB, options, new SimpleMeterRegistry())) {
            List<String> chats = newChats(storeA);
            List<HistoryService> nodes = List.of(nodeA, nodeB);
            Collection<CompletableFuture<Message>> sent = new ConcurrentLinkedQueue<>();

            // Senders on both nodes spread over all chats, so each node's group commits hold
            // several chats that the other node's commits hold too.
            runAtOnce(2 * THREADS_PER_NODE, sender -> () -> {
                HistoryService node = nodes.get(sender % 2);
                Random random = new Random(100 + sender);
                for (int i = 0; i < perSender; i++) {
                    sent.add(node.append(message(chats.get(random.nextInt(CHATS)), "s" + sender + "-" + i)));
                }
                return null;
            });

            List<Message> acked = new ArrayList<>();
            for (CompletableFuture<Message> f : sent) {
                acked.add(f.get(30, TimeUnit.SECONDS)); // a failed commit (deadlock, timeout) throws here
            }
            assertEveryChatHoldsExactlyWhatWasAcknowledged(storeB, chats, acked, 2 * THREADS_PER_NODE * perSender);
        }
    }

    /**
     * A client that retries on the other node while its first send is still in flight: both nodes
     * append the same client ids at once, in batches with other sends. Each id is stored once,
     * every answer for it is that one message, and the sequences stay 1..N.
     */
    @Test
    void sendsRepeatedOnTwoNodesAtOnceAreStoredOnce() throws Exception {
        int rounds = 60;
        try (HistoryStore nodeA = newStore(); HistoryStore nodeB = newStore()) {
            List<String> chats = newChats(nodeA);
            List<HistoryStore> nodes = List.of(nodeA, nodeB);
            Map<String, Collection<Long>> answersByClientId = new java.util.concurrent.ConcurrentHashMap<>();
            Collection<Message> acked = new ConcurrentLinkedQueue<>();

            // Writers 2k and 2k+1 (one per node) send the same client ids in the same rounds.
            runAtOnce(2 * THREADS_PER_NODE, writer -> () -> {
                HistoryStore node = nodes.get(writer % 2);
                for (int round = 0; round < rounds; round++) {
                    List<NewMessage> batch = new ArrayList<>();
                    for (String chat : chats) {
                        String clientId = "pair" + writer / 2 + "-r" + round + "-" + chat;
                        batch.add(HistoryStoreContract.withClientId(message(chat, "w" + writer + "-r" + round), clientId));
                        batch.add(message(chat, "plain w" + writer + "-r" + round));
                    }
                    List<Message> answers = node.append(batch);
                    for (int i = 0; i < batch.size(); i++) {
                        NewMessage sent = batch.get(i);
                        if (sent.clientMessageId() != null) {
                            answersByClientId.computeIfAbsent(sent.clientMessageId(), k -> new ConcurrentLinkedQueue<>())
                                    .add(answers.get(i).id());
                        }
                        if (answers.get(i).id() == sent.id()) {
                            acked.add(answers.get(i)); // stored by this append (not a repeat's answer)
                        }
                    }
                }
                return null;
            });

            int perChat = 2 * THREADS_PER_NODE * rounds; // the plain sends
            int clientIds = THREADS_PER_NODE * rounds;   // each sent by two writers
            assertThat(answersByClientId).hasSize(clientIds * CHATS);
            answersByClientId.forEach((clientId, answers) ->
                    assertThat(answers).as("answers for %s", clientId).hasSize(2).containsOnly(answers.iterator().next()));
            assertEveryChatHoldsExactlyWhatWasAcknowledged(nodeB, chats, acked, (perChat + clientIds) * CHATS);
        }
    }

    private static void assertEveryChatHoldsExactlyWhatWasAcknowledged(HistoryStore reader, List<String> chats,
                                                                       Collection<Message> acked, int expected) {
        assertThat(acked).hasSize(expected);
        Map<String, List<Message>> ackedByChat = acked.stream().collect(Collectors.groupingBy(Message::chatId));
        for (String chat : chats) {
            List<Long> ackedSeqs = ackedByChat.get(chat).stream().map(Message::seq).sorted().toList();
            List<Long> oneToN = LongStream.rangeClosed(1, ackedSeqs.size()).boxed().toList();
            assertThat(ackedSeqs).as("acknowledged sequences of %s, each handed out once", chat)
                    .containsExactlyElementsOf(oneToN);

            List<Message> stored = reader.after(chat, 0, 100_000);
            assertThat(stored).extracting(Message::seq).as("stored sequences of %s", chat)
                    .containsExactlyElementsOf(oneToN);
            assertThat(stored).as("stored messages of %s are the acknowledged ones", chat)
                    .containsExactlyInAnyOrderElementsOf(ackedByChat.get(chat));
        }
    }

    /** Starts {@code n} tasks together and waits for all; the first failure fails the test. */
    private static void runAtOnce(int n, Function<Integer, Callable<Void>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<Void> body = task.apply(i);
                done.add(pool.submit(() -> {
                    start.await();
                    return body.call();
                }));
            }
            start.countDown();
            for (Future<Void> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A store as a gateway node opens it: pools of its own, sized for concurrent writers. */
    private static HistoryStore newStore() {
        HistoryOptions options = HistoryOptions.builder().writerThreads(THREADS_PER_NODE).build();
        return JdbcHistoryStore.postgres(server.urlWithSchema(schema), server.user(), server.password(), options,
                null);
    }

    private static List<String> newChats(HistoryStore store) {
        List<String> chats = new ArrayList<>();
        for (int i = 0; i < CHATS; i++) {
            String id = "chat-" + UUID.randomUUID();
            store.createChatIfAbsent(new NewChat(id, ChatKind.GROUP, "alice", null, null, Set.of("alice", "bob"), T0));
            chats.add(id);
        }
        return chats;
    }

    private static NewMessage message(String chatId, String content) {
        return new NewMessage(IDS.incrementAndGet(), chatId, "alice", content, ContentType.TEXT, null, T0);
    }
}
