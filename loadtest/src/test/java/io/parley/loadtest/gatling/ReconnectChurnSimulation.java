package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Reconnect-and-resume churn ({@code events} dialect). Each virtual user owns two sockets
 * ({@code wsName} "customerSocket" and "agentSocket"; Gatling keeps a socket in the session
 * under its name, so it must differ from every session attribute): a customer's and a support agent's, in the customer's support conversation.
 * Per cycle the customer connects, opens the conversation (idempotent) and sends; then drops
 * the socket; while it is away the agent answers; the customer reconnects and pages history,
 * which must hold the agent's message (what was missed while offline is recovered from history).
 *
 * <p>{@code -Dusers=20 -Dcycles=5 -DrampSeconds=5 -DawayMs=200}; assertions: errors, p99 of
 * "reconnect" (the handshake) and "missed message recovered" (the history reply) <= p99Ms (1000).
 */
public class ReconnectChurnSimulation extends Simulation {
    static final int USERS = Parley.intProp("users", 20);
    static final int CYCLES = Parley.intProp("cycles", 5);
    static final int RAMP_SECONDS = Parley.intProp("rampSeconds", 5);
    static final int AWAY_MS = Parley.intProp("awayMs", 200);
    static final int TIMEOUT_SECONDS = Parley.intProp("timeoutSeconds", 30);

    private static final AtomicInteger NEXT = new AtomicInteger();

    ScenarioBuilder churn = scenario("reconnect and resume")
            .feed(Stream.generate(() -> {
                int n = NEXT.getAndIncrement();
                String customer = "rc" + Parley.RUN + "c" + n;
                String agent = "rc" + Parley.RUN + "a" + n;
                return Map.<String, Object>of("customer", customer, "agent", agent, "app", Parley.RUN_NUMBER + n,
                        "customerToken", Parley.TOKENS.user(customer), "agentToken", Parley.TOKENS.staff(agent));
            }).iterator())
            .exec(ws("agent connect", "agentSocket").connect("/ws?sid=#{agent}").header("Authorization", "Bearer #{agentToken}"))
            .exec(repeat(CYCLES, "cycle").on(
                    exec(ws("reconnect", "customerSocket").connect("/ws?sid=#{customer}")
                            .header("Authorization", "Bearer #{customerToken}"))
                    .exec(ws("open", "customerSocket").sendText(Parley.event("AddConversation",
                                    "\"user_id\":\"#{customer}\",\"application_id\":#{app}"))
                            .await(TIMEOUT_SECONDS).on(Parley.eventOk("opened", "AddConversation")
                                    .check(jsonPath("$.result.session_channel").saveAs("channel"))))
                    .exec(ws("customer send", "customerSocket").sendText(Parley.event("SendMessage",
                                    "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{customer}\",\"content\":\"question #{cycle}\""))
                            .await(TIMEOUT_SECONDS).on(Parley.eventOk("customer sent", "SendMessage")))
                    .exec(ws("drop", "customerSocket").close())
                    // While the customer is away, the agent answers (its first send makes it a member).
                    .exec(ws("agent send", "agentSocket").sendText(Parley.event("SendMessage",
                                    "\"session_channel\":\"#{channel}\",\"sender_id\":\"#{agent}\",\"content\":\"answer #{cycle}\""))
                            .await(TIMEOUT_SECONDS).on(Parley.eventOk("agent sent", "SendMessage")
                                    .check(jsonPath("$.result.message.id").saveAs("missed"))))
                    .pause(Duration.ofMillis(AWAY_MS))
                    .exec(ws("reconnect", "customerSocket").connect("/ws?sid=#{customer}")
                            .header("Authorization", "Bearer #{customerToken}"))
                    .exec(ws("resume", "customerSocket").sendText(Parley.event("GetMessageList",
                                    "\"session_channel\":\"#{channel}\",\"executor_id\":\"#{customer}\""))
                            .await(TIMEOUT_SECONDS).on(Parley.eventOk("missed message recovered", "GetMessageList")
                                    // The path holds the saved id (Gatling EL): the agent's message must be in the page.
                                    .check(jsonPath("$.result.Messages[?(@.id == #{missed})]").exists())))
                    .exec(ws("leave", "customerSocket").close())))
            .exec(ws("agent close", "agentSocket").close());

    {
        setUp(churn.injectOpen(rampUsers(USERS).during(RAMP_SECONDS)))
                .protocols(Parley.protocol())
                .assertions(Parley.assertions(1000, "reconnect", "missed message recovered"));
    }
}
