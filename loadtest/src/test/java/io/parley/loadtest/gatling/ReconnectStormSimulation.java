package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Reconnect storm ({@code events} dialect): {@code users} sockets connect within
 * {@code rampSeconds}, each opens its support conversation and sends two messages (keeping the
 * first one's id), and at one moment all of them drop. Each reconnects after a random
 * {@code 0..jitterMs} and resumes with {@code after_id} = the first message: the answer must hold
 * the second message and say the resume is complete ({@code resumed} times the answer). Meanwhile
 * {@code senders} other users send one message every {@code sendIntervalMs} each for the whole
 * run; their acknowledgements are timed under three names: {@code ack: steady} (all storm sockets
 * connected), {@code ack: storm} (from the drop to 2 s after the last reconnect) and
 * {@code ack: after}. The storm's reads run on the store's read pool, bounded and apart from the
 * writers: {@code ack: storm} against {@code ack: steady} is the figure that shows whether resumes
 * starve the send path.
 *
 * <p>{@code -Dusers=5000 -DrampSeconds=25 -DholdSeconds=10 -DjitterMs=2000 -DafterSeconds=10
 * -Dsenders=20 -DsendIntervalMs=100}; assertions: errors, p99 of "reconnect", "resumed" and
 * "ack: storm" <= p99Ms (5000).
 */
public class ReconnectStormSimulation extends Simulation {
    static final int USERS = Parley.intProp("users", 5000);
    static final int RAMP_SECONDS = Parley.intProp("rampSeconds", 25);
    static final int HOLD_SECONDS = Parley.intProp("holdSeconds", 10);
    static final int JITTER_MS = Parley.intProp("jitterMs", 2000);
    static final int AFTER_SECONDS = Parley.intProp("afterSeconds", 10);
    static final int SENDERS = Parley.intProp("senders", 20);
    static final int SEND_INTERVAL_MS = Parley.intProp("sendIntervalMs", 100);
    static final int TIMEOUT_SECONDS = Parley.intProp("timeoutSeconds", 60);

    /** When every storm socket drops, and when the run ends; fixed when the simulation loads. */
    static final long DROP_AT = System.currentTimeMillis() + (RAMP_SECONDS + HOLD_SECONDS) * 1000L;
    static final long STORM_ENDS = DROP_AT + JITTER_MS + 2_000;
    static final long END = DROP_AT + JITTER_MS + AFTER_SECONDS * 1000L;

    private static final AtomicInteger NEXT = new AtomicInteger();

    private static Duration until(long epochMillis) {
        return Duration.ofMillis(Math.max(0, epochMillis - System.currentTimeMillis()));
    }

    private static Map<String, Object> user(String role) {
        int n = NEXT.getAndIncrement();
        String id = "rs" + Parley.RUN + role + n;
        return Map.of("user", id, "app", Parley.RUN_NUMBER + n, "token", Parley.TOKENS.user(id));
    }

    private static io.gatling.javaapi.core.ChainBuilder openAndSend(String socket, String content, String savedId) {
        return exec(ws("open", socket).sendText(Parley.event("AddConversation",
                        "\"user_id\":\"#{user}\",\"application_id\":#{app}"))
                .await(TIMEOUT_SECONDS).on(Parley.eventOk("opened", "AddConversation")
                        .check(jsonPath("$.result.session_channel").saveAs("channel"))))
                .exec(ws("send", socket).sendText(Parley.event("SendMessage",
                                "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{user}\",\"content\":\"" + content + "\""))
                        .await(TIMEOUT_SECONDS).on(Parley.eventOk("sent", "SendMessage").check(jsonPath("$.result.message.id").saveAs(savedId))));
    }

    ScenarioBuilder storm = scenario("storm")
            .feed(Stream.generate(() -> user("u")).iterator())
            .exec(ws("connect", "stormSocket").connect("/ws?sid=#{user}").header("Authorization", "Bearer #{token}"))
            .exec(openAndSend("stormSocket", "seen", "seen"))
            .exec(ws("send", "stormSocket").sendText(Parley.event("SendMessage",
                            "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{user}\",\"content\":\"to resume\""))
                    .await(TIMEOUT_SECONDS).on(Parley.eventOk("sent", "SendMessage").check(jsonPath("$.result.message.id").saveAs("missed"))))
            .pause(session -> until(DROP_AT))
            .exec(ws("drop", "stormSocket").close())
            .pause(session -> Duration.ofMillis(ThreadLocalRandom.current().nextInt(JITTER_MS + 1)))
            .exec(ws("reconnect", "stormSocket").connect("/ws?sid=#{user}").header("Authorization", "Bearer #{token}"))
            .exec(ws("resume", "stormSocket").sendText(Parley.event("GetMessageList",
                            "\"session_channel\":\"#{channel}\",\"executor_id\":\"#{user}\",\"after_id\":#{seen}"))
                    .await(TIMEOUT_SECONDS).on(Parley.eventOk("resumed", "GetMessageList")
                            .check(jsonPath("$.result.Messages[?(@.id == #{missed})]").exists())
                            .check(jsonPath("$.result.has_more").ofBoolean().is(false))))
            .pause(session -> until(END))
            .exec(ws("leave", "stormSocket").close());

    ScenarioBuilder senders = scenario("senders")
            .feed(Stream.generate(() -> user("s")).iterator())
            .exec(ws("connect", "senderSocket").connect("/ws?sid=#{user}").header("Authorization", "Bearer #{token}"))
            .exec(openAndSend("senderSocket", "first", "first"))
            .exec(asLongAs(session -> System.currentTimeMillis() < END).on(
                    exec(session -> session.set("phase", phase()))
                    .exec(ws("send", "senderSocket").sendText(Parley.event("SendMessage",
                                    "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{user}\",\"content\":\"steady\""))
                            .await(TIMEOUT_SECONDS).on(Parley.eventOk("#{phase}", "SendMessage")))
                    .pause(Duration.ofMillis(SEND_INTERVAL_MS))))
            .exec(ws("leave", "senderSocket").close());

    /** Which window a send falls in, so each is timed under its own name. */
    private static String phase() {
        long now = System.currentTimeMillis();
        return now < DROP_AT ? "ack: steady" : now < STORM_ENDS ? "ack: storm" : "ack: after";
    }

    {
        setUp(storm.injectOpen(rampUsers(USERS).during(RAMP_SECONDS)),
                senders.injectOpen(nothingFor(Duration.ofSeconds(RAMP_SECONDS)), atOnceUsers(SENDERS)))
                .protocols(Parley.protocol())
                .assertions(Parley.assertions(5000, "reconnect", "resumed", "ack: storm"));
    }
}
