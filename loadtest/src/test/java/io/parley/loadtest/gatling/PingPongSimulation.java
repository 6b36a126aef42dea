package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Chat pairs ping-pong ({@code typed} dialect, direct chat {@code a_b} of each pair, no set-up):
 * A sends a ping and waits for B's pong; B answers every ping. {@code rounds} round trips per
 * pair, every message durable (acknowledged and delivered after commit). The "ping" response
 * time of the check "round trip" is the full round trip A → node → B → node → A; "ping arrived"
 * is B's wait (armed long before), so only "round trip" is timed by the assertion.
 *
 * <p>Gatling's WebSocket checks only see frames that arrive while a check is armed, and a check
 * is armed by a send on the same socket. So B arms first (it sends {@code user_typing}, which the
 * node does not acknowledge, with a check awaiting A's ping) and A starts {@code armSeconds}
 * later; after that each side's send arms the check for the other side's next message, so no
 * push can arrive unarmed. {@code matching} skips the other frames (own acknowledgements, typing,
 * presence).
 *
 * <p>{@code -Dpairs=50 -Drounds=20 -DarmSeconds=3}; assertions: errors, p99 <= p99Ms (500).
 */
public class PingPongSimulation extends Simulation {
    static final int PAIRS = Parley.intProp("pairs", 50);
    static final int ROUNDS = Parley.intProp("rounds", 20);
    static final int ARM_SECONDS = Parley.intProp("armSeconds", 3);
    static final int TIMEOUT_SECONDS = Parley.intProp("timeoutSeconds", 30);

    private static final AtomicInteger NEXT_A = new AtomicInteger();
    private static final AtomicInteger NEXT_B = new AtomicInteger();

    /** Pair i's two users, both sides; the chat id is "{a}_{b}" (ids without '_'). */
    private static Map<String, Object> pair(int i, boolean sideA) {
        String a = "pp" + Parley.RUN + "a" + i;
        String b = "pp" + Parley.RUN + "b" + i;
        String me = sideA ? a : b;
        return Map.of("me", me, "peer", sideA ? b : a, "chat", a + "_" + b, "token", Parley.TOKENS.user(me));
    }

    private static String newMessage(String text) {
        return "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"#{chat}\",\"message\":\""
                + text + "\",\"reply_to\":null}}";
    }

    /** A new_message from the peer (not my own acknowledgement). */
    private static WsFrameCheck fromPeer(String name) {
        return io.gatling.javaapi.http.HttpDsl.ws.checkTextMessage(name)
                .matching(jsonPath("$.type").is("new_message"), jsonPath("$.content.sender_id").isEL("#{peer}"));
    }

    private static final ChainBuilder CONNECT =
            exec(ws("connect").connect("/ws/chats/").header("Authorization", "Bearer #{token}"));

    ScenarioBuilder ponger = scenario("B: answers pings")
            .feed(Stream.generate(() -> pair(NEXT_B.getAndIncrement(), false)).iterator())
            .exec(CONNECT)
            .exec(ws("arm").sendText("{\"type\":\"user_typing\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"#{chat}\"}}")
                    .await(ARM_SECONDS + TIMEOUT_SECONDS).on(fromPeer("ping arrived")))
            .exec(repeat(ROUNDS - 1).on(exec(ws("answer").sendText(newMessage("pong"))
                    .await(TIMEOUT_SECONDS).on(fromPeer("ping arrived")))))
            .exec(ws("answer").sendText(newMessage("pong")))
            .exec(ws("close").close());

    ScenarioBuilder pinger = scenario("A: pings")
            .feed(Stream.generate(() -> pair(NEXT_A.getAndIncrement(), true)).iterator())
            .exec(CONNECT)
            .exec(repeat(ROUNDS).on(exec(ws("ping").sendText(newMessage("ping"))
                    .await(TIMEOUT_SECONDS).on(fromPeer("round trip")))))
            .exec(ws("close").close());

    {
        setUp(ponger.injectOpen(atOnceUsers(PAIRS)),
                pinger.injectOpen(nothingFor(ARM_SECONDS), atOnceUsers(PAIRS)))
                .protocols(Parley.protocol())
                .assertions(Parley.assertions(500, "round trip"));
    }
}
