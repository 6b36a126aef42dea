package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * A realistic mix of the five dialects on one node, each user doing what its client app does:
 * page history, type, send, read. {@code users} is split evenly over the dialects:
 * <ul>
 *   <li>{@code events} (seed 002): open a support conversation; per iteration page history
 *       ({@code Event.GetMessageList}), send, mark read, ask unread counts.</li>
 *   <li>{@code typed} (seed 004): direct chat; typing, send (acknowledged by the same frame),
 *       read; history over REST.</li>
 *   <li>{@code actions} (seed 003, UUID users): create a chat; send, page history, list chats.</li>
 *   <li>{@code pair} (seed 000): a booking over REST; in-frame hello; send; history over REST.</li>
 *   <li>{@code feed} (seed 001): a group over REST; the first frame is the history update; send,
 *       which comes back as an update.</li>
 * </ul>
 * Each reply is checked by a check armed with its own request (request/reply needs no special
 * arming). {@code -Dusers=50 -Diterations=10 -DpauseMs=200 -DrampSeconds=5}; assertions: errors,
 * p99 of every send and history request <= p99Ms (1000).
 */
public class DialectMixSimulation extends Simulation {
    static final int USERS = Parley.intProp("users", 50);
    static final int ITERATIONS = Parley.intProp("iterations", 10);
    static final int PAUSE_MS = Parley.intProp("pauseMs", 200);
    static final int RAMP_SECONDS = Parley.intProp("rampSeconds", 5);
    static final int TIMEOUT_SECONDS = Parley.intProp("timeoutSeconds", 30);

    /**
     * Gatling reports a WebSocket send twice: the action (e.g. "events send": the time to write the
     * frame) and its check (e.g. "events sent": from the send to the matching reply). The checks and
     * the REST requests are the latencies.
     */
    private static final String[] TIMED = {"events sent", "events page", "typed sent", "typed history",
            "actions sent", "actions page", "pair delivered", "pair history", "feed echoed"};

    /** An endless feeder of fresh users of one dialect: {@code make(n)} gives the session attributes. */
    private static java.util.Iterator<Map<String, Object>> users(Function<Integer, Map<String, Object>> make) {
        AtomicInteger next = new AtomicInteger();
        return Stream.generate(() -> make.apply(next.getAndIncrement())).iterator();
    }

    private static ChainBuilder iterate(ChainBuilder body) {
        return repeat(ITERATIONS, "i").on(exec(body).pause(Duration.ofMillis(PAUSE_MS)));
    }

    // ---- events: support conversation ----------------------------------------------------------
    private static String event(String name, String args) {
        return "{\"name\":\"Event." + name + "\",\"args\":{" + args + "}}";
    }

    private static io.gatling.javaapi.http.WsFrameCheck.Text reply(String check, String name) {
        return ws.checkTextMessage(check).matching(jsonPath("$.name").is("Event." + name))
                .check(jsonPath("$.ok").ofBoolean().is(true));
    }

    ScenarioBuilder events = scenario("events")
            .feed(users(n -> {
                String me = "mx" + Parley.RUN + "e" + n;
                return Map.of("me", me, "token", Parley.TOKENS.user(me), "app", Parley.RUN_NUMBER + n);
            }))
            .exec(ws("events connect").connect("/ws?sid=#{me}").header("Authorization", "Bearer #{token}"))
            .exec(ws("events open").sendText(event("AddConversation", "\"user_id\":\"#{me}\",\"application_id\":#{app}"))
                    .await(TIMEOUT_SECONDS).on(reply("events opened", "AddConversation")
                            .check(jsonPath("$.result.session_channel").saveAs("channel"))))
            .exec(iterate(exec(ws("events history").sendText(event("GetMessageList",
                                    "\"session_channel\":\"#{channel}\",\"executor_id\":\"#{me}\",\"limit\":50"))
                            .await(TIMEOUT_SECONDS).on(reply("events page", "GetMessageList")))
                    .exec(ws("events send").sendText(event("SendMessage",
                                    "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{me}\",\"content\":\"hello #{i}\""))
                            .await(TIMEOUT_SECONDS).on(reply("events sent", "SendMessage")
                                    .check(jsonPath("$.result.message.id").saveAs("last"))))
                    .exec(ws("events read").sendText(event("ReadMessage",
                                    "\"session_channel\":\"#{channel}\",\"executor_id\":\"#{me}\",\"message_id\":#{last}"))
                            .await(TIMEOUT_SECONDS).on(reply("events marked read", "ReadMessage")))
                    .exec(ws("events unread").sendText(event("GetUnreadInfo", "\"user_id\":\"#{me}\""))
                            .await(TIMEOUT_SECONDS).on(reply("events unread counts", "GetUnreadInfo")))))
            .exec(ws("events close").close());

    // ---- typed: direct chat --------------------------------------------------------------------
    private static String typed(String type, String extra) {
        return "{\"type\":\"" + type + "\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"#{chat}\"" + extra + "}}";
    }

    ScenarioBuilder typed = scenario("typed")
            .feed(users(n -> {
                String me = "mx" + Parley.RUN + "t" + n + "a";
                String peer = "mx" + Parley.RUN + "t" + n + "b"; // me < peer: "me_peer" is the canonical id
                return Map.of("me", me, "chat", me + "_" + peer, "token", Parley.TOKENS.user(me));
            }))
            .exec(ws("typed connect").connect("/ws/chats/").header("Authorization", "Bearer #{token}"))
            .exec(iterate(exec(ws("typed typing").sendText(typed("user_typing", ""))) // not acknowledged
                    .exec(ws("typed send").sendText(typed("new_message", ",\"message\":\"hello #{i}\",\"reply_to\":null"))
                            .await(TIMEOUT_SECONDS).on(ws.checkTextMessage("typed sent")
                                    .matching(jsonPath("$.type").is("new_message"),
                                            jsonPath("$.content.sender_id").isEL("#{me}"))
                                    .check(jsonPath("$.content.message_id").saveAs("last"))))
                    .exec(ws("typed read").sendText(typed("message_read", ",\"message_id\":#{last}")))
                    .exec(http("typed history").get("/api/v1/chats/#{chat}/messages?limit=50")
                            .header("Authorization", "Bearer #{token}")
                            .check(status().is(200), jsonPath("$.messages").exists()))))
            .exec(ws("typed close").close());

    // ---- actions: UUID users, a chat created over the socket -----------------------------------
    private static io.gatling.javaapi.http.WsFrameCheck.Text answer(String check, String type) {
        return ws.checkTextMessage(check).matching(jsonPath("$.type").is(type))
                .check(jsonPath("$.ok").ofBoolean().is(true));
    }

    ScenarioBuilder actions = scenario("actions")
            .feed(users(n -> {
                String me = UUID.randomUUID().toString();
                return Map.of("me", me, "peer", UUID.randomUUID().toString(), "token", Parley.TOKENS.user(me));
            }))
            .exec(ws("actions connect").connect("/api/v1/websocket/ws/#{me}").header("Authorization", "Bearer #{token}"))
            .exec(ws("actions create").sendText("{\"type\":\"create_chat\",\"members\":[\"#{peer}\"],\"title\":\"mix\"}")
                    .await(TIMEOUT_SECONDS).on(answer("actions created", "create_chat")
                            .check(jsonPath("$.data.chat.id").saveAs("chat"))))
            .exec(iterate(exec(ws("actions send").sendText("{\"type\":\"send_message\",\"chat_id\":\"#{chat}\",\"text\":\"hello #{i}\"}")
                            .await(TIMEOUT_SECONDS).on(answer("actions sent", "send_message")))
                    .exec(ws("actions history").sendText("{\"type\":\"get_messages\",\"chat_id\":\"#{chat}\",\"limit\":50}")
                            .await(TIMEOUT_SECONDS).on(answer("actions page", "get_messages")))
                    .exec(ws("actions list").sendText("{\"type\":\"list_chats\"}")
                            .await(TIMEOUT_SECONDS).on(answer("actions listed", "list_chats")))))
            .exec(ws("actions close").close());

    // ---- pair: booking chat, in-frame authentication -------------------------------------------
    ScenarioBuilder pair = scenario("pair")
            .feed(users(n -> {
                String me = "mx" + Parley.RUN + "p" + n;
                return Map.of("me", me, "peer", me + "sitter", "token", Parley.TOKENS.user(me));
            }))
            .exec(http("pair booking").post("/api/v1/chats").header("Authorization", "Bearer #{token}")
                    .header("Content-Type", "application/json")
                    .body(StringBody("{\"kind\":\"booking\",\"members\":[\"#{peer}\"]}"))
                    .check(status().is(201), jsonPath("$.chat.id").saveAs("chat")))
            .exec(ws("pair connect").connect("/chat/#{chat}"))
            .exec(ws("pair hello").sendText("{\"sessionId\":\"#{token}\"}")
                    .await(TIMEOUT_SECONDS).on(ws.checkTextMessage("pair authenticated")
                            .check(jsonPath("$.code").ofInt().is(200))))
            .exec(iterate(exec(session -> session.set("now", Instant.now().toString()))
                    .exec(ws("pair send").sendText("{\"sessionId\":\"#{token}\",\"message\":\"hello #{i}\",\"timestamp\":\"#{now}\"}")
                            .await(TIMEOUT_SECONDS).on(ws.checkTextMessage("pair delivered")
                                    .check(jsonPath("$.messageId").exists(), jsonPath("$.senderId").isEL("#{me}"))))
                    .exec(http("pair history").get("/api/v1/chats/#{chat}/messages?limit=50")
                            .header("Authorization", "Bearer #{token}").check(status().is(200)))))
            .exec(ws("pair close").close());

    // ---- feed: sequenced support-style feed of a group chat ------------------------------------
    ScenarioBuilder feed = scenario("feed")
            .feed(users(n -> {
                String me = "mx" + Parley.RUN + "f" + n;
                return Map.of("me", me, "peer", me + "agent", "token", Parley.TOKENS.user(me));
            }))
            .exec(http("feed chat").post("/api/v1/chats").header("Authorization", "Bearer #{token}")
                    .header("Content-Type", "application/json")
                    .body(StringBody("{\"kind\":\"group\",\"title\":\"feed\",\"members\":[\"#{peer}\"]}"))
                    .check(status().is(201), jsonPath("$.chat.id").saveAs("chat")))
            // The history update is the socket's first frame: the check is armed by the connect itself.
            .exec(ws("feed connect").connect("/v1/chats/#{chat}?heartbeat=false").header("Authorization", "Bearer #{token}")
                    .await(TIMEOUT_SECONDS).on(ws.checkTextMessage("feed history")
                            .check(jsonPath("$.type").is("update"), jsonPath("$.socket_sequence").ofInt().is(0))))
            .exec(iterate(exec(session -> session.set("text", "hello " + session.getString("me") + " " + session.getInt("i")))
                    .exec(ws("feed send").sendText("{\"type\":\"update\",\"message\":[{\"type\":\"message\",\"text\":\"#{text}\"}]}")
                            .await(TIMEOUT_SECONDS).on(ws.checkTextMessage("feed echoed")
                                    .matching(jsonPath("$.message[0].text").isEL("#{text}"))))))
            .exec(ws("feed close").close());

    {
        int each = Math.max(1, USERS / 5);
        PopulationBuilder[] all = Stream.of(events, typed, actions, pair, feed)
                .map(s -> s.injectOpen(rampUsers(each).during(RAMP_SECONDS))).toArray(PopulationBuilder[]::new);
        setUp(all).protocols(Parley.protocol()).assertions(Parley.assertions(1000, TIMED));
    }
}
