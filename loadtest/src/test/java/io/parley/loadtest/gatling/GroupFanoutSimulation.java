package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Group fan-out ({@code typed} dialect, {@code chat_type: project}): {@code groups} group chats of
 * one sender and {@code members} listeners each (a group holds at most 100 others; the benchmark
 * runner measures the 1,000-member case). The sender posts {@code messages} messages
 * {@code intervalMs} apart; every listener must receive each of them, in order.
 *
 * <p>Listeners arm first: one {@code user_typing} send arms a sequence of {@code messages} checks
 * (Gatling checks only see frames that arrive while armed, after a send on the same socket); the
 * senders start {@code armSeconds} later. The timed request is the sender's "send" (commit +
 * acknowledgement); the listeners' "received" checks count errors (a missed or late message
 * fails) but their times are waits measured from arming, not delivery latency — the benchmark
 * runner ({@code fanout}) measures that with one clock.
 *
 * <p>{@code -Dgroups=1 -Dmembers=100 -Dmessages=20 -DintervalMs=500 -DarmSeconds=5}; p99Ms (500).
 */
public class GroupFanoutSimulation extends Simulation {
    static final int GROUPS = Parley.intProp("groups", 1);
    static final int MEMBERS = Math.min(100, Parley.intProp("members", 100));
    static final int MESSAGES = Parley.intProp("messages", 20);
    static final int INTERVAL_MS = Parley.intProp("intervalMs", 500);
    static final int ARM_SECONDS = Parley.intProp("armSeconds", 5);

    private static final List<String> CHATS = new ArrayList<>();
    private static final AtomicInteger NEXT_LISTENER = new AtomicInteger();
    private static final AtomicInteger NEXT_SENDER = new AtomicInteger();

    private static String sender(int group) {
        return "gf" + Parley.RUN + "g" + group + "s";
    }

    private static String listener(int group, int member) {
        return "gf" + Parley.RUN + "g" + group + "m" + member;
    }

    @Override
    public void before() {
        for (int g = 0; g < GROUPS; g++) {
            int group = g;
            String members = IntStream.range(0, MEMBERS).mapToObj(m -> Parley.quote(listener(group, m)))
                    .collect(Collectors.joining(","));
            CHATS.add(Parley.createChat(sender(g), "{\"kind\":\"group\",\"title\":\"fan-out " + g + "\",\"members\":["
                    + members + "]}"));
        }
    }

    private static String frame(String type, String extra) {
        return "{\"type\":\"" + type + "\",\"content\":{\"chat_type\":\"project\",\"chat_id\":\"#{chat}\"" + extra + "}}";
    }

    private static List<WsFrameCheck> everyMessage() {
        List<WsFrameCheck> checks = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            checks.add(ws.checkTextMessage("received")
                    .matching(jsonPath("$.type").is("new_message"), jsonPath("$.content.sender_id").isEL("#{sender}"))
                    .check(jsonPath("$.content.message").is("fan-out " + i)));
        }
        return checks;
    }

    ScenarioBuilder listeners = scenario("listeners")
            .feed(Stream.generate(() -> {
                int n = NEXT_LISTENER.getAndIncrement();
                int group = n / MEMBERS;
                String me = listener(group, n % MEMBERS);
                return Map.<String, Object>of("chat", CHATS.get(group), "sender", sender(group),
                        "token", Parley.TOKENS.user(me));
            }).iterator())
            .exec(ws("connect").connect("/ws/chats/").header("Authorization", "Bearer #{token}"))
            .exec(ws("arm").sendText(frame("user_typing", ""))
                    .await(ARM_SECONDS + 30 + MESSAGES * INTERVAL_MS / 1000).on(everyMessage()))
            .exec(ws("close").close());

    ScenarioBuilder senders = scenario("senders")
            .feed(Stream.generate(() -> {
                int group = NEXT_SENDER.getAndIncrement();
                return Map.<String, Object>of("chat", CHATS.get(group), "me", sender(group),
                        "token", Parley.TOKENS.user(sender(group)));
            }).iterator())
            .exec(ws("connect").connect("/ws/chats/").header("Authorization", "Bearer #{token}"))
            .exec(repeat(MESSAGES, "i").on(exec(ws("send")
                            .sendText(frame("new_message", ",\"message\":\"fan-out #{i}\",\"reply_to\":null"))
                            .await(30).on(ws.checkTextMessage("ack")
                                    .matching(jsonPath("$.type").is("new_message"),
                                            jsonPath("$.content.sender_id").isEL("#{me}"))))
                    .pause(java.time.Duration.ofMillis(INTERVAL_MS))))
            .exec(ws("close").close());

    {
        setUp(listeners.injectOpen(atOnceUsers(GROUPS * MEMBERS)),
                senders.injectOpen(nothingFor(ARM_SECONDS), atOnceUsers(GROUPS)))
                .protocols(Parley.protocol())
                .assertions(Parley.assertions(500, "ack"));
    }
}
