package io.parley.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.loadtest.bench.OrderInvariants.Message;
import io.parley.loadtest.bench.OrderInvariants.Violation;
import io.parley.loadtest.client.Tokens;
import io.parley.loadtest.client.LoadClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One run of {@link OrderCheck}: fresh users, two per node, in one group chat; phase 1 sends,
 * waits, compares; phase 2 restarts Redis, sends, waits, compares that phase and both together.
 * Prints each comparison's verdict with its violations, and where to look when one failed.
 */
final class OrderScenario {
    static final int USERS_PER_NODE = 2;
    /** Messages each user sends per phase. */
    static final int SENDS = 20;
    static final Duration ACK_DEADLINE = Duration.ofSeconds(30);
    static final Duration REDIS_DOWN = Duration.ofSeconds(1);
    /** After Redis is back: time for every node to reconnect and register its users again. */
    static final Duration REDIS_SETTLE = Duration.ofSeconds(5);

    private final OrderCluster cluster;
    private final Tokens tokens;
    private final Duration pause;
    private final boolean restart;
    private final ChatHistory history = new ChatHistory();

    OrderScenario(OrderCluster cluster, Duration pause, boolean restart) {
        this.cluster = cluster;
        this.tokens = new Tokens(cluster.secret, Duration.ofHours(2));
        this.pause = pause;
        this.restart = restart;
    }

    /** @return whether every comparison of the run held */
    boolean run(String name) throws Exception {
        int users = cluster.nodes.size() * USERS_PER_NODE;
        List<String> ids = new ArrayList<>();
        Map<String, String> byId = new HashMap<>(); // user id -> u1.., for sender#index
        for (int i = 0; i < users; i++) {
            ids.add(UUID.randomUUID().toString());
            byId.put(ids.get(i), "u" + (i + 1));
        }
        Map<String, String> labels = Map.copyOf(byId);
        Function<JsonNode, Message> parse = m -> message(m, labels);
        List<OrderMember> members = new ArrayList<>();
        List<String> legend = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            int node = i / USERS_PER_NODE + 1;
            members.add(new OrderMember(labels.get(ids.get(i)), ids.get(i), node, parse));
            legend.add(labels.get(ids.get(i)) + "=" + ids.get(i) + "@node" + node);
        }
        ExecutorService senders = Executors.newFixedThreadPool(members.size());
        try (LoadClient client = new LoadClient(2)) {
            for (OrderMember m : members) {
                m.connect(client, cluster.nodes.get(m.node - 1).uri("/api/v1/websocket/ws/" + m.userId, "ws"),
                        tokens.user(m.userId));
            }
            String chatId = members.get(0).createChat(members.stream().skip(1).map(m -> m.userId).toList());
            System.out.println(name + ": chat " + chatId + ", " + String.join(" ", legend));
            Run r = new Run(chatId, members, parse);
            boolean passed = r.phase(name + " phase 1", senders, 0, sent(0, SENDS));
            if (restart) {
                cluster.redis().restart(REDIS_DOWN);
                Thread.sleep(REDIS_SETTLE.toMillis());
                passed &= r.phase(name + " phase 2 (after a Redis restart)", senders, SENDS,
                        sent(SENDS, 2 * SENDS));
                passed &= r.compare(name + " both phases", m -> true, List.of());
            }
            if (!passed) {
                System.out.println(name + ": look at chat " + chatId + " in schema " + cluster.schema
                        + " (messages.chat_id), the node logs " + cluster.nodeLogs + ", the Redis log " + cluster.redisLog);
            }
            return passed;
        } finally {
            members.forEach(OrderMember::close);
            senders.shutdownNow();
        }
    }

    /** One run's chat and members. */
    private final class Run {
        private final String chatId;
        private final List<OrderMember> members;
        private final Function<JsonNode, Message> parse;
        /** Violations already printed this run: the comparison of both phases often repeats one of a phase's. */
        private final Set<String> printed = new HashSet<>();

        Run(String chatId, List<OrderMember> members, Function<JsonNode, Message> parse) {
            this.chatId = chatId;
            this.members = members;
            this.parse = parse;
        }

        /** Every member sends {@link #SENDS} at once, from index {@code from} on; then the acks, the pause, the comparison. */
        boolean phase(String name, ExecutorService senders, int from, Predicate<Message> inPhase) throws Exception {
            int expected = members.size() * SENDS;
            CountDownLatch acks = new CountDownLatch(expected);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> sending = new ArrayList<>();
            for (OrderMember m : members) {
                m.expectAcks(acks);
                sending.add(senders.submit(() -> {
                    start.await();
                    m.send(chatId, from, SENDS);
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            for (Future<?> f : sending) {
                f.get(ACK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            }
            boolean allAcked = acks.await(ACK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            System.out.printf(Locale.ROOT, "%s: %d of %d sends acked in %.3f s%n", name, expected - acks.getCount(),
                    expected, (System.nanoTime() - began) / 1e9);
            Thread.sleep(pause.toMillis());
            List<String> problems = new ArrayList<>();
            if (!allAcked) {
                problems.add("acks: " + acks.getCount() + " missing after " + ACK_DEADLINE.toSeconds() + " s: "
                        + unacked(members, from));
            }
            for (OrderMember m : members) {
                m.drainProblems().forEach(p -> problems.add(m.label + ": " + p));
            }
            return compare(name, inPhase, problems);
        }

        /** Reads history and compares the messages {@code which} selects; prints the verdict. */
        boolean compare(String name, Predicate<Message> which, List<String> problems) throws Exception {
            OrderMember reader = members.get(0);
            List<Message> stored = history.read(cluster.nodes.get(reader.node - 1), chatId, tokens.user(reader.userId),
                    parse).stream().filter(which).toList();
            List<Message> acked = members.stream().flatMap(m -> m.acked().stream()).filter(which).toList();
            Map<String, List<Message>> received = new LinkedHashMap<>();
            for (OrderMember m : members) {
                received.put(m.label, m.received().stream().filter(which).toList());
            }
            List<Violation> violations = OrderInvariants.check(stored, acked, received);
            boolean passed = violations.isEmpty() && problems.isEmpty();
            System.out.println(name + ": " + (passed ? "PASS" : "FAIL") + " (" + stored.size() + " in history, "
                    + acked.size() + " acked, received " + received.values().stream().map(l -> Integer.toString(l.size()))
                    .collect(Collectors.joining("/")) + ")");
            problems.forEach(p -> System.out.println("  " + p));
            int repeated = 0;
            for (Violation v : violations) {
                if (printed.add(v.toString())) {
                    System.out.println("  " + v);
                } else {
                    repeated++;
                }
            }
            if (repeated > 0) {
                System.out.println("  and " + repeated + " violation(s) exactly as printed above");
            }
            return passed;
        }
    }

    /** The messages each sender numbered {@code from} to {@code to - 1}. */
    private static Predicate<Message> sent(int from, int to) {
        return m -> m.index() >= from && m.index() < to;
    }

    /** The sends of this phase no ack answered, as sender#index. */
    private static String unacked(List<OrderMember> members, int from) {
        List<String> missing = new ArrayList<>();
        for (OrderMember m : members) {
            List<Integer> acked = m.acked().stream().map(Message::index).toList();
            for (int i = from; i < from + SENDS; i++) {
                if (!acked.contains(i)) {
                    missing.add(m.label + "#" + i);
                }
            }
        }
        return missing.size() > 12 ? String.join(" ", missing.subList(0, 12)) + " ... (" + (missing.size() - 12)
                + " more)" : String.join(" ", missing);
    }

    /** A message of the chat as sender#index: its text is {@code <user id>#<index>}. */
    static Message message(JsonNode m, Map<String, String> labels) {
        String text = m.path("text").asText();
        int hash = text.lastIndexOf('#');
        String sender = hash < 0 ? m.path("sender_id").asText() : text.substring(0, hash);
        int index;
        try {
            index = hash < 0 ? -1 : Integer.parseInt(text.substring(hash + 1));
        } catch (NumberFormatException e) {
            index = -1;
        }
        return new Message(m.path("id").asLong(), labels.getOrDefault(sender, sender), index);
    }
}
