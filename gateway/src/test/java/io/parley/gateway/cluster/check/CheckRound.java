package io.parley.gateway.cluster.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.gateway.support.TestNode;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One randomized round of the cluster checker: a few fresh group chats, their members spread
 * over the nodes and the dialects, all sending at once with random pauses while one fault hits
 * the cluster; then the cluster heals, every chat gets one last message (what makes the nodes
 * notice anything they were not sent), and {@link OrderChecker} compares what every member got
 * with what history holds.
 */
final class CheckRound {
    /** What goes wrong during a round. */
    enum Fault { NONE, REDIS_RESTARTED_EMPTY, NODE_KILLED, POSTGRES_RESTARTED, REDIS_LINK_CUT, REDIS_LINK_SLOW, REDIS_FAILOVER }

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Long enough for every node to reconnect to Redis, register its users again and republish, and
     * for a replica to take over from a killed primary (a few seconds in the test topologies).
     */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration SETTLE_AFTER_FAILOVER = Duration.ofSeconds(8);
    private static final Duration QUIET_DEADLINE = Duration.ofSeconds(20);

    private final CheckedCluster cluster;
    private final HttpClient http;
    private final long seed;
    private final Fault fault;
    private final Random random;
    private final String name;
    private String summary = "";

    CheckRound(CheckedCluster cluster, HttpClient http, int round, long seed, Fault fault) {
        this.cluster = cluster;
        this.http = http;
        this.seed = seed;
        this.fault = fault;
        this.random = new Random(seed);
        this.name = "round " + round + " (seed " + seed + ", " + fault + ")";
    }

    /** Runs the round; returns the violations found (empty: it passed). */
    List<String> run() throws Exception {
        List<List<Member>> chats = new ArrayList<>();
        int chatCount = 1 + random.nextInt(3);
        for (int c = 0; c < chatCount; c++) {
            chats.add(openChat("c" + c, 2 + random.nextInt(5)));
        }
        List<Member> everyone = chats.stream().flatMap(List::stream).toList();
        try {
            Thread.sleep(300); // every node has registered its members in Redis before anyone sends
            ExecutorService senders = Executors.newFixedThreadPool(everyone.size() + 1);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < chats.size(); c++) {
                    String chatLabel = "c" + c;
                    for (Member member : chats.get(c)) {
                        int count = 5 + random.nextInt(16);
                        running.add(senders.submit(() -> member.sendAll(chatLabel, count)));
                    }
                }
                Future<?> faulting = senders.submit(this::injectFault);
                for (Future<?> f : running) {
                    f.get(2, TimeUnit.MINUTES);
                }
                faulting.get(2, TimeUnit.MINUTES);
            } finally {
                senders.shutdownNow();
            }
            Thread.sleep((fault == Fault.REDIS_FAILOVER ? SETTLE_AFTER_FAILOVER : SETTLE).toMillis());
            everyone.forEach(Member::resumeIfOrphaned);
            for (int c = 0; c < chats.size(); c++) {
                chats.get(c).get(0).send("c" + c + "/last");
            }
            return check(chats);
        } finally {
            everyone.forEach(Member::close);
        }
    }

    /** A group chat created over REST by its first member, every member connected to a random node in a random dialect. */
    private List<Member> openChat(String label, int size) throws IOException, InterruptedException {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            users.add(UUID.randomUUID().toString());
        }
        List<CheckedCluster.Node> nodes = cluster.nodes();
        String chatId = createGroup(nodes.get(random.nextInt(nodes.size())), users);
        List<Member> members = new ArrayList<>();
        Dialect[] dialects = Dialect.values();
        for (int i = 0; i < size; i++) {
            Member member = new Member("m" + i, users.get(i), chatId, dialects[random.nextInt(dialects.length)],
                    cluster, http, new Random(random.nextLong()));
            member.connect(nodes.get(random.nextInt(nodes.size())));
            members.add(member);
        }
        return members;
    }

    private String createGroup(CheckedCluster.Node node, List<String> users) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("kind", "group");
        users.subList(1, users.size()).forEach(body.putArray("members")::add);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.http("/api/v1/chats"))
                .header("Authorization", "Bearer " + TestNode.token(users.get(0)))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("create chat: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).at("/chat/id").asText();
    }

    /** Lets the senders start, then breaks something mid-traffic and heals it. */
    private Void injectFault() throws Exception {
        Thread.sleep(random.nextInt(150));
        List<CheckedCluster.Node> nodes = cluster.nodes();
        CheckedCluster.Node victim = nodes.get(random.nextInt(nodes.size()));
        switch (fault) {
            case NONE -> { }
            case REDIS_RESTARTED_EMPTY -> {
                cluster.redis.stop();
                Thread.sleep(500 + random.nextInt(1000));
                cluster.redis.startAgain();
            }
            case NODE_KILLED -> cluster.killAndReplace(victim);
            case POSTGRES_RESTARTED -> {
                cluster.postgres.stop();
                Thread.sleep(random.nextInt(1000));
                cluster.postgres.start();
            }
            case REDIS_LINK_CUT -> victim.redisLink().cut(Duration.ofMillis(200 + random.nextInt(1500)));
            case REDIS_LINK_SLOW -> victim.redisLink().slow(Duration.ofMillis(20 + random.nextInt(200)),
                    Duration.ofMillis(500 + random.nextInt(1500)));
            case REDIS_FAILOVER -> cluster.failOverRedis(random);
        }
        return null;
    }

    /** Waits (bounded) until every member has all of its chat's history, then checks every chat. */
    private List<String> check(List<List<Member>> chats) {
        List<String> violations = new ArrayList<>();
        StringBuilder summary = new StringBuilder();
        for (int c = 0; c < chats.size(); c++) {
            List<Member> members = chats.get(c);
            Member reader = members.get(0);
            List<String> history = awaitEveryoneHasHistory(members, reader);
            summary.append(summary.isEmpty() ? "" : "; ").append("c").append(c).append(": ").append(history.size())
                    .append(" messages to ").append(members);
            List<OrderChecker.Member> records = members.stream().map(Member::record).toList();
            List<String> found = OrderChecker.check(name + " c" + c, history, records);
            violations.addAll(found);
            if (!found.isEmpty()) {
                members.forEach(m -> {
                    if (!m.errors().isEmpty()) {
                        violations.add("  " + m + " got errors: " + m.errors());
                    }
                });
            }
        }
        this.summary = summary.toString();
        return violations;
    }

    /** What the round checked: per chat, its messages and members (after {@link #run}). */
    String summary() {
        return summary;
    }

    private List<String> awaitEveryoneHasHistory(List<Member> members, Member reader) {
        long deadline = System.nanoTime() + QUIET_DEADLINE.toNanos();
        while (true) {
            List<CheckedCluster.Node> nodes = cluster.nodes();
            List<String> history = HistoryPages.texts(http, nodes.get(0), reader.userId, reader.chatId);
            boolean complete = history.stream().anyMatch(text -> text.endsWith("/last"))
                    && members.stream().allMatch(m -> m.everything().containsAll(history));
            if (complete || System.nanoTime() > deadline) {
                return history;
            }
            sleep(100);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
