package io.parley.gateway.fault;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import io.parley.storage.EmbeddedPostgresServer;
import io.parley.storage.PostgresTestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import static io.parley.gateway.config.Settings.HISTORY_BATCH_SIZE;
import static io.parley.gateway.config.Settings.HISTORY_QUEUE_CAPACITY;
import static io.parley.gateway.config.Settings.HISTORY_READ_THREADS;
import static io.parley.gateway.config.Settings.HISTORY_TIMEOUT;
import static io.parley.gateway.config.Settings.HISTORY_WRITER_THREADS;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL faults end to end: a real node on a PostgreSQL server of this class's own (embedded;
 * the shared local server is never stopped), real WebSocket clients on the {@code events} dialect.
 * Each test works in a fresh schema.
 */
class PostgresFaultTest {

    private static final AtomicLong APPLICATIONS = new AtomicLong(70_000);
    private static EmbeddedPostgresServer postgres;
    private static PostgresTestServers.Server server;

    private String schema;

    @BeforeAll
    static void startPostgres() {
        postgres = EmbeddedPostgresServer.startNew();
        server = new PostgresTestServers.Server(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "");
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @BeforeEach
    void newSchema() {
        postgres.start(); // in case a failed test left it stopped
        schema = PostgresTestServers.newSchema(server);
    }

    @AfterEach
    void dropSchema() {
        postgres.start();
        PostgresTestServers.dropSchema(server, schema);
    }

    @Test
    void postgresStoppedMidTrafficAnswers503FastLosesNothingAckedAndRecoversByItself() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        try (TestNode node = node(b -> b.set(HISTORY_TIMEOUT, timeout));
             WsClient agent = staff(node, "800")) {
            int senders = 3;
            List<Sender> traffic = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                traffic.add(new Sender(node, Integer.toString(801 + i), agent));
            }
            traffic.forEach(Sender::start);
            await("acknowledged sends before the outage", Duration.ofSeconds(10),
                    () -> traffic.stream().allMatch(s -> s.acked.size() >= 5));

            postgres.stop();
            await("503 answers while PostgreSQL is down", Duration.ofSeconds(15),
                    () -> traffic.stream().allMatch(s -> s.unavailable.get() >= 2));

            postgres.start();
            Map<Sender, Integer> ackedAtRestart = new ConcurrentHashMap<>();
            traffic.forEach(s -> ackedAtRestart.put(s, s.acked.size()));
            await("acknowledged sends after PostgreSQL is back (no restart of the node)", Duration.ofSeconds(30),
                    () -> traffic.stream().allMatch(s -> s.acked.size() >= ackedAtRestart.get(s) + 5));
            for (Sender s : traffic) {
                s.stopAndJoin();
            }

            Set<Long> acked = new HashSet<>();
            long slowest = 0;
            for (Sender s : traffic) {
                assertThat(s.problems).as("sender %s: replies other than ok or 503", s.userId).isEmpty();
                acked.addAll(s.acked);
                slowest = Math.max(slowest, s.slowestReplyNanos.get());
            }
            assertThat(Duration.ofNanos(slowest)).as("slowest reply (no hanging clients)")
                    .isLessThan(timeout.plusSeconds(2));
            Set<Long> delivered = new HashSet<>();
            for (JsonNode push : agent.drain(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                    Duration.ofSeconds(1))) {
                delivered.add(push.at("/result/message/id").asLong());
            }
            Set<Long> history = historyIds();
            assertThat(history).as("every acknowledged message is in history").containsAll(acked);
            assertThat(history).as("every delivered message is in history").containsAll(delivered);
            assertThat(delivered).as("delivered exactly what was acknowledged").isEqualTo(acked);
        }
    }

    @Test
    void aFullWriteQueueAnswers503AtOnceAndNeverDropsSilently() throws Exception {
        try (TestNode node = node(b -> b.set(HISTORY_WRITER_THREADS, 1).set(HISTORY_QUEUE_CAPACITY, 2).set(HISTORY_BATCH_SIZE, 1)
                .set(HISTORY_TIMEOUT, Duration.ofSeconds(10)));
             WsClient customer = node.connectEvents("810")) {
            String channel = openConversation(customer, "810");
            try (Connection locker = server.connect(); Statement s = locker.createStatement()) {
                // Hold the writer: its SELECT ... FOR UPDATE on chats waits for this lock.
                locker.setAutoCommit(false);
                s.execute("LOCK TABLE " + schema + ".chats IN EXCLUSIVE MODE");
                send(customer, channel, "810", "held by the lock");
                await("the writer waiting for the lock", Duration.ofSeconds(10), () -> writerIsWaitingForALock());

                long start = System.nanoTime();
                int burst = 9;
                for (int i = 0; i < burst; i++) {
                    send(customer, channel, "810", "burst " + i);
                }
                // 2 fit in the queue; 7 are refused at once, while the lock is still held.
                List<JsonNode> refused = new ArrayList<>();
                for (int i = 0; i < burst - 2; i++) {
                    refused.add(customer.awaitName("Event.SendMessage"));
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
                assertThat(refused).allSatisfy(r -> {
                    assertThat(r.path("ok").asBoolean()).isFalse();
                    assertThat(r.at("/error/code").asInt()).isEqualTo(503);
                    assertThat(r.at("/error/message").asText()).contains("overloaded");
                });
                locker.commit();
            }
            List<JsonNode> accepted = List.of(customer.awaitName("Event.SendMessage"),
                    customer.awaitName("Event.SendMessage"), customer.awaitName("Event.SendMessage"));
            assertThat(accepted).allSatisfy(r -> assertThat(r.path("ok").asBoolean()).isTrue());
            assertThat(customer.receivesNothing(m -> "Event.SendMessage".equals(m.path("name").asText()),
                    Duration.ofMillis(300))).as("one answer per send").isTrue();
            assertThat(historyIds()).hasSize(3);
            assertThat(node.get("/metrics").body()).contains("parley_history_writes_rejected_total 7.0");
        }
    }

    @Test
    void saturatedReadsNeverStallSendsInOtherChats() throws Exception {
        // More read threads than the old shared pool had connections (10): with one pool for reads
        // and writes, the stuck reads would hold every connection and starve the writer.
        int stuckReads = 20;
        List<WsClient> readers = new ArrayList<>();
        try (TestNode node = node(b -> b.set(HISTORY_READ_THREADS, 12).set(HISTORY_TIMEOUT, Duration.ofSeconds(3)));
             WsClient reader = node.connectEvents("820");
             WsClient customer = node.connectEvents("821");
             WsClient agent = staff(node, "822")) {
            String readChannel = openConversation(reader, "820");
            String sendChannel = openConversation(customer, "821");
            agent.event("Event.GetMessageList", Map.of("session_channel", sendChannel, "executor_id", "822"));
            assertThat(agent.awaitName("Event.GetMessageList").path("ok").asBoolean()).isTrue();
            // One connection's requests run one after another: the reads come from many staff members.
            for (int i = 0; i < stuckReads; i++) {
                String staffId = Integer.toString(830 + i);
                readers.add(staff(node, staffId));
                readPage(readers.get(i), staffId, readChannel); // joins the conversation
            }

            try (Connection locker = server.connect(); Statement s = locker.createStatement()) {
                // Every history page also reads the read cursors: these reads now hang.
                locker.setAutoCommit(false);
                s.execute("LOCK TABLE " + schema + ".read_cursors IN ACCESS EXCLUSIVE MODE");
                for (int i = 0; i < stuckReads; i++) {
                    readers.get(i).event("Event.GetMessageList", Map.of("session_channel", readChannel,
                            "executor_id", Integer.toString(830 + i)));
                }
                await("all read threads stuck", Duration.ofSeconds(10), () -> lockWaiters() >= 12);

                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    send(customer, sendChannel, "821", "while reads hang " + i);
                    JsonNode ack = customer.awaitName("Event.SendMessage");
                    assertThat(ack.path("ok").asBoolean()).as("send %d: %s", i, ack).isTrue();
                    JsonNode push = agent.awaitName("Event.ReceiveMessage");
                    assertThat(push.at("/result/message/id").asLong()).isEqualTo(ack.at("/result/message/id").asLong());
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("send %d ack and delivery", i)
                            .isLessThan(Duration.ofSeconds(1));
                }
                // The hung reads are answered too, at their deadline: 503, not silence.
                for (WsClient stuck : readers) {
                    JsonNode page = stuck.awaitName("Event.GetMessageList");
                    assertThat(page.at("/error/code").asInt()).as("%s", page).isEqualTo(503);
                }
                locker.rollback();
            }
            readPage(reader, "820", readChannel);
        } finally {
            readers.forEach(WsClient::close);
        }
    }

    private static void readPage(WsClient client, String userId, String channel) {
        client.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", userId));
        JsonNode page = client.awaitName("Event.GetMessageList");
        assertThat(page.path("ok").asBoolean()).as("%s", page).isTrue();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private TestNode node(UnaryOperator<ParleyConfig.Builder> more) {
        return TestNode.start(b -> more.apply(b.set(STORAGE_URL, server.urlWithSchema(schema)).set(STORAGE_USER, server.user())));
    }

    private static WsClient staff(TestNode node, String userId) {
        return WsClient.connect(node.ws("/ws?sid=" + userId), "access_token", TestNode.staffToken(userId));
    }

    /** A support conversation of the customer; returns its session_channel. */
    private static String openConversation(WsClient customer, String userId) {
        long app = APPLICATIONS.incrementAndGet();
        customer.event("Event.AddConversation", Map.of("user_id", userId, "application_id", app));
        JsonNode added = customer.awaitName("Event.AddConversation");
        assertThat(added.path("ok").asBoolean()).as("%s", added).isTrue();
        return added.at("/result/session_channel").asText();
    }

    private static void send(WsClient client, String channel, String userId, String content) {
        client.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", userId, "content", content));
    }

    private Set<Long> historyIds() throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + schema + ".messages")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** Sessions of this node waiting for a lock on this server. */
    private static int lockWaiters() {
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE application_name = 'parley' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static boolean writerIsWaitingForALock() {
        return lockWaiters() >= 1;
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * A customer in a support conversation that the agent has joined, sending one message at a
     * time and waiting for each answer; records what was acknowledged and how long answers took.
     */
    private static final class Sender {
        final String userId;
        final WsClient client;
        final String channel;
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicLong slowestReplyNanos = new AtomicLong();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Sender(TestNode node, String userId, WsClient agent) {
            this.userId = userId;
            this.client = node.connectEvents(userId);
            this.channel = openConversation(client, userId);
            // The staff agent (user 800) opens the conversation and so joins it.
            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", "800"));
            assertThat(agent.awaitName("Event.GetMessageList").path("ok").asBoolean()).isTrue();
            this.thread = new Thread(this::run, "sender-" + userId);
        }

        void start() {
            thread.start();
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(20));
            client.close();
        }

        private void run() {
            int n = 0;
            while (!stop.get()) {
                long start = System.nanoTime();
                send(client, channel, userId, "m" + n++);
                JsonNode reply;
                try {
                    reply = client.awaitName("Event.SendMessage");
                } catch (AssertionError noReply) {
                    problems.add("no reply: " + noReply.getMessage());
                    return;
                }
                slowestReplyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                if (reply.path("ok").asBoolean()) {
                    acked.add(reply.at("/result/message/id").asLong());
                } else if (reply.at("/error/code").asInt() == 503) {
                    unavailable.incrementAndGet();
                    sleepQuietly(20); // a client backs off a little before it retries
                } else {
                    problems.add(reply.toString());
                }
            }
        }

        private static void sleepQuietly(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
