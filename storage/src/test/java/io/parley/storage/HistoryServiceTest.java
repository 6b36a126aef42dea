package io.parley.storage;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link HistoryService} on the real embedded store; slowness and outages come from {@link GatedHistoryStore}. */
class HistoryServiceTest {

    private static final Instant T0 = Instant.parse("2026-05-06T07:08:09Z");
    private static final AtomicLong IDS = new AtomicLong(1);

    @TempDir
    Path dataDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private GatedHistoryStore store;
    private HistoryService service;

    @BeforeEach
    void openStore() {
        store = new GatedHistoryStore(JdbcHistoryStore.embedded(dataDir));
    }

    @AfterEach
    void closeService() {
        if (service != null) {
            service.close();
        } else {
            store.close();
        }
    }

    @Test
    void concurrentAppendsCompleteInPerChatSequenceOrderInGroupCommits() throws Exception {
        service = start(HistoryOptions.builder().lingerMicros(2_000).build());
        List<Chat> chats = List.of(chat(), chat(), chat(), chat());
        int threads = 8;
        int perThread = 250;
        Map<String, List<Long>> completionOrder = new ConcurrentHashMap<>();
        chats.forEach(c -> completionOrder.put(c.id(), Collections.synchronizedList(new ArrayList<>())));

        ExecutorService senders = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> recorded = Collections.synchronizedList(new ArrayList<>());
        // Hold the writer until every callback is attached, so each one runs on the writer
        // thread at completion time and the recorded order is the completion order.
        store.closeGate();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(senders.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        Chat chat = chats.get((thread + i) % chats.size());
                        CompletableFuture<Message> f = service.append(message(chat.id(), "t" + thread + "-" + i));
                        recorded.add(f.thenAccept(m -> completionOrder.get(m.chatId()).add(m.seq())));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            store.open();
            CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            senders.shutdownNow();
        }

        int total = threads * perThread;
        for (Chat chat : chats) {
            List<Long> seqs = completionOrder.get(chat.id());
            assertThat(seqs).hasSize(total / chats.size());
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("completion %d of chat %s", i, chat.id()).isEqualTo(i + 1L);
            }
        }
        DistributionSummary batches = registry.get(HistoryMetrics.BATCH_SIZE).summary();
        assertThat(batches.totalAmount()).isEqualTo(total);
        assertThat(batches.count()).as("commits for %d messages", total).isLessThan(total);
        assertThat(batches.max()).isGreaterThan(1);
        assertThat(registry.get(HistoryMetrics.COMMIT_LATENCY).timer().count()).isEqualTo(batches.count());
        Timer waits = registry.get(HistoryMetrics.BATCH_WAIT).timer();
        assertThat(waits.count()).as("one wait per batch").isEqualTo(batches.count());
        assertThat(waits.max(TimeUnit.NANOSECONDS)).as("the first batch waited behind the closed store").isPositive();
        assertThat(service.writeQueueDepth()).isZero();
    }

    @Test
    void aFullWriteQueueRejectsWithTheNumbers() throws Exception {
        service = start(HistoryOptions.builder().writerThreads(1).writeQueueCapacity(2).maxBatchSize(1).lingerMicros(0)
                .build());
        Chat chat = chat();
        store.closeGate();
        CompletableFuture<Message> inFlight = service.append(message(chat.id(), "1"));
        await(() -> store.entered() == 1); // the writer holds it, the queue is empty again
        CompletableFuture<Message> queued1 = service.append(message(chat.id(), "2"));
        CompletableFuture<Message> queued2 = service.append(message(chat.id(), "3"));
        assertThat(service.writeQueueDepth()).isEqualTo(2);
        assertThat(registry.get(HistoryMetrics.WRITE_QUEUE_DEPTH).gauge().value()).isEqualTo(2);
        assertThat(registry.get(HistoryMetrics.WRITE_QUEUE_CAPACITY).gauge().value()).as("full: depth = capacity")
                .isEqualTo(2);

        CompletableFuture<Message> rejected = service.append(message(chat.id(), "4"));

        assertThat(rejected).isCompletedExceptionally();
        assertThatThrownBy(rejected::join).hasCauseInstanceOf(StoreOverloadedException.class)
                .hasMessageContaining("2 queued of capacity 2").hasMessageContaining("writer 1 of 1");
        assertThat(registry.get(HistoryMetrics.WRITES_REJECTED).counter().count()).isEqualTo(1);

        store.open();
        assertThat(List.of(inFlight.get(10, TimeUnit.SECONDS), queued1.get(10, TimeUnit.SECONDS),
                queued2.get(10, TimeUnit.SECONDS))).extracting(Message::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aLoneWriteIsCommittedWithoutWaitingForTheLinger() throws Exception {
        // The longest linger allowed: had the writer slept through it for each of these sends,
        // they would take at least five times that.
        Duration linger = Duration.ofNanos(HistoryOptions.MAX_LINGER_MICROS * 1_000);
        service = start(HistoryOptions.builder().writerThreads(1).lingerMicros(HistoryOptions.MAX_LINGER_MICROS)
                .build());
        Chat chat = chat();
        long start = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            assertThat(service.append(message(chat.id(), "alone " + i)).get(10, TimeUnit.SECONDS).seq()).isEqualTo(i);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(linger);
        assertThat(registry.get(HistoryMetrics.BATCH_SIZE).summary().max()).isEqualTo(1);
    }

    @Test
    void theEmbeddedStoresFileSizeIsAGauge() throws Exception {
        service = start(HistoryOptions.defaults());
        Chat chat = chat();
        service.append(message(chat.id(), "hello")).get(10, TimeUnit.SECONDS);
        double bytes = Files.size(DataSources.h2File(dataDir));
        assertThat(registry.get(HistoryMetrics.FILE_SIZE).gauge().value()).isPositive()
                .isCloseTo(bytes, Percentage.withPercentage(10)); // H2's background writer may write meanwhile
    }

    @Test
    void aFailedCommitFailsEveryFutureOfItsBatchAndLaterAppendsSucceed() throws Exception {
        // One writer: the missing chat must land in the same batch as the others.
        service = start(HistoryOptions.builder().writerThreads(1).lingerMicros(0).build());
        Chat chat = chat();
        store.closeGate();
        CompletableFuture<Message> first = service.append(message(chat.id(), "first"));
        await(() -> store.entered() == 1);
        // Queued behind the held writer, so they form one batch; one names a missing chat.
        List<CompletableFuture<Message>> batch = List.of(
                service.append(message(chat.id(), "a")),
                service.append(message("no-such-chat", "b")),
                service.append(message(chat.id(), "c")));
        store.open();

        assertThat(first.get(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
        for (CompletableFuture<Message> f : batch) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(UnknownChatException.class);
        }
        assertThat(registry.get(HistoryMetrics.WRITES_FAILED).counter().count()).isEqualTo(3);

        Message next = service.append(message(chat.id(), "next")).get(10, TimeUnit.SECONDS);
        assertThat(next.seq()).isEqualTo(2); // the failed batch left no trace
        assertThat(service.call("after", s -> s.after(chat.id(), 0, 10)).get(10, TimeUnit.SECONDS))
                .extracting(Message::content).containsExactly("first", "next");
    }

    @Test
    void anOutageFailsAppendsWithoutStoppingTheWriter() throws Exception {
        service = start(HistoryOptions.builder().lingerMicros(0).build());
        Chat chat = chat();
        store.failNext(2);

        for (int i = 0; i < 2; i++) {
            CompletableFuture<Message> f = service.append(message(chat.id(), "down" + i));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class)
                    .hasMessageContaining("simulated outage");
        }
        assertThat(service.append(message(chat.id(), "up")).get(10, TimeUnit.SECONDS).seq()).isEqualTo(1);
    }

    @Test
    void aHangingCommitIsAnsweredAtTheDeadlineAndWritesQueuedBehindItAreNotWritten() throws Exception {
        service = start(HistoryOptions.builder().lingerMicros(0).maxBatchSize(1)
                .operationTimeout(Duration.ofMillis(200)).build());
        Chat chat = chat();
        store.closeGate();
        long start = System.nanoTime();
        CompletableFuture<Message> held = service.append(message(chat.id(), "held"));
        await(() -> store.entered() == 1);
        CompletableFuture<Message> stale = service.append(message(chat.id(), "stale"));

        // Both answered by the watchdog while the commit still hangs.
        assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("commit did not finish").hasMessageContaining("limit 200 ms");
        assertThatThrownBy(() -> stale.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("timed out").hasMessageContaining("limit 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        await(() -> registry.get(HistoryMetrics.WRITES_FAILED).counter().count() == 2); // counted just after
        store.open();

        // The hung commit finishes later: in history, but never acknowledged. The stale one is never written.
        await(() -> service.writeQueueDepth() == 0);
        Message next = service.append(message(chat.id(), "next")).get(10, TimeUnit.SECONDS);
        assertThat(service.call("after", s -> s.after(chat.id(), 0, 10)).get(10, TimeUnit.SECONDS))
                .extracting(Message::content).containsExactly("held", "next");
        assertThat(next.seq()).isEqualTo(2);
        assertThat(store.appendCalls.get()).isEqualTo(2);
    }

    @Test
    void closeRefusesNewWorkAndCommitsWhatIsQueued() throws Exception {
        service = start(HistoryOptions.builder().lingerMicros(0).maxBatchSize(2).build());
        Chat chat = chat();
        store.closeGate();
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        futures.add(service.append(message(chat.id(), "m0")));
        await(() -> store.entered() == 1);
        for (int i = 1; i <= 5; i++) {
            futures.add(service.append(message(chat.id(), "m" + i)));
        }
        Chat probe = chat(); // probes accepted before close() took effect land here, not in `chat`
        HistoryService closing = service;
        Thread closer = new Thread(closing::close);
        closer.start();
        await(() -> closing.append(message(probe.id(), "probe")).isCompletedExceptionally());
        assertThatThrownBy(() -> closing.append(message(chat.id(), "late")).join())
                .hasCauseInstanceOf(StoreException.class).hasMessageContaining("shutting down");
        assertThatThrownBy(() -> closing.call("find", s -> s.findChat(chat.id())).join())
                .hasMessageContaining("shutting down");

        store.open();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        service = null;
        for (CompletableFuture<Message> f : futures) {
            assertThat(f).isCompleted().isNotCompletedExceptionally();
        }
        try (HistoryStore reopened = JdbcHistoryStore.embedded(dataDir)) {
            assertThat(reopened.after(chat.id(), 0, 100)).extracting(Message::content)
                    .containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
        }
        assertThat(registry.find(HistoryMetrics.WRITE_QUEUE_DEPTH).gauge()).as("meters removed").isNull();
    }

    @Test
    void callRunsOnAStorageThreadAndRecordsLatencyPerOperation() throws Exception {
        service = start(HistoryOptions.defaults());
        Chat chat = chat();

        String thread = service.call("thread", s -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        assertThat(thread).startsWith(StoreCallExecutor.THREAD_PREFIX);
        assertThat(service.call("find-chat", s -> s.findChat(chat.id())).get(10, TimeUnit.SECONDS)).contains(chat);
        assertThat(registry.get(HistoryMetrics.CALL_LATENCY).tag("operation", "find-chat").timer().count())
                .isEqualTo(1);
        // Buckets, so that the latency of one operation can be aggregated across nodes.
        CountAtBucket[] buckets = registry.get(HistoryMetrics.CALL_LATENCY).tag("operation", "find-chat").timer()
                .takeSnapshot().histogramCounts();
        assertThat(buckets).hasSize(HistoryMetrics.CALL_LATENCY_BUCKETS.length);
        assertThat(buckets[buckets.length - 1].count()).as("calls within the largest bucket").isEqualTo(1);

        RuntimeException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> service.call("boom", s -> {
            throw boom;
        }).get(10, TimeUnit.SECONDS)).hasCause(boom);
        assertThat(registry.get(HistoryMetrics.CALLS_FAILED).tag("operation", "boom").counter().count())
                .as("the caller's own exception, not the store's failure").isZero();
    }

    @Test
    void aFullReadQueueRejectsWithTheNumbers() throws Exception {
        service = start(HistoryOptions.builder().readThreads(1).readQueueCapacity(1).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<String> busy = service.call("hold", s -> {
            running.countDown();
            awaitQuietly(release);
            return "held";
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> queued = service.call("health", HistoryStore::isHealthy);
        assertThat(service.readQueueDepth()).isEqualTo(1);
        assertThat(registry.get(HistoryMetrics.READ_QUEUE_CAPACITY).gauge().value()).as("full: depth = capacity")
                .isEqualTo(1);

        CompletableFuture<Boolean> rejected = service.call("health", HistoryStore::isHealthy);

        assertThatThrownBy(rejected::join).hasCauseInstanceOf(StoreOverloadedException.class)
                .hasMessageContaining("1 queued of capacity 1").hasMessageContaining("1 of 1 threads busy");
        assertThat(registry.get(HistoryMetrics.CALLS_REJECTED).counter().count()).isEqualTo(1);
        assertThat(registry.get(HistoryMetrics.CALLS_FAILED).tag("operation", "health").counter().count())
                .as("a refusal is not a failure").isZero();
        release.countDown();
        assertThat(busy.get(10, TimeUnit.SECONDS)).isEqualTo("held");
        assertThat(queued.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCallFailsAtItsDeadline() throws Exception {
        service = start(HistoryOptions.builder().readThreads(1).operationTimeout(Duration.ofMillis(200)).build());
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> slow = service.call("slow", s -> {
            awaitQuietly(release);
            return "late";
        });
        CompletableFuture<String> behind = service.call("behind", s -> "never runs");
        long start = System.nanoTime();

        assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("'slow' timed out").hasMessageContaining("limit 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThatThrownBy(() -> behind.get(10, TimeUnit.SECONDS)).hasMessageContaining("'behind' timed out");
        release.countDown();
        assertThat(registry.get(HistoryMetrics.CALLS_FAILED).tag("operation", "slow").counter().count()).isEqualTo(1);
        assertThat(registry.get(HistoryMetrics.CALLS_FAILED).tag("operation", "behind").counter().count()).isEqualTo(1);
    }

    @Test
    void aCallThatFailsInTheStoreIsCounted() throws Exception {
        service = start(HistoryOptions.defaults());
        CompletableFuture<String> failing = service.call("broken", s -> {
            throw new StoreException("disk gone");
        });
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).hasMessageContaining("disk gone");
        assertThat(registry.get(HistoryMetrics.CALLS_FAILED).tag("operation", "broken").counter().count()).isEqualTo(1);
    }

    @Test
    void appendFuturesCompleteOnTheWriterThread() throws Exception {
        service = start(HistoryOptions.defaults());
        Chat chat = chat();
        store.closeGate(); // the callback must be attached before the commit completes the future
        CompletableFuture<String> thread = service.append(message(chat.id(), "x"))
                .thenApply(m -> Thread.currentThread().getName());
        store.open();
        assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith(GroupCommitWriter.THREAD_NAME);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private HistoryService start(HistoryOptions options) {
        return new HistoryService(store, options, registry);
    }

    private Chat chat() {
        return store.createChatIfAbsent(new NewChat("chat-" + IDS.incrementAndGet(), ChatKind.GROUP, "alice", null,
                null, Set.of("alice", "bob"), T0));
    }

    private static NewMessage message(String chatId, String content) {
        return new NewMessage(IDS.incrementAndGet(), chatId, "alice", content, ContentType.TEXT, null, T0);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
