package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Connection storm, then idle hold: {@code users} authenticated sockets ({@code events} dialect,
 * one user each) open within {@code rampSeconds}, stay idle for {@code holdSeconds} (the node
 * pings at half its idle timeout; Gatling answers), then close. Measures handshake time
 * (token check before the upgrade) under a burst.
 *
 * <p>{@code -Dusers=1000 -DrampSeconds=10 -DholdSeconds=30}; assertions: errors <= maxErrorPercent,
 * p99 <= p99Ms (1000).
 */
public class ConnectionStormSimulation extends Simulation {
    static final int USERS = Parley.intProp("users", 1000);
    static final int RAMP_SECONDS = Parley.intProp("rampSeconds", 10);
    static final int HOLD_SECONDS = Parley.intProp("holdSeconds", 30);

    private static final AtomicInteger NEXT = new AtomicInteger();

    ScenarioBuilder storm = scenario("connection storm")
            .feed(Stream.generate(() -> {
                String user = "cs" + Parley.RUN + "u" + NEXT.getAndIncrement();
                return Map.<String, Object>of("user", user, "token", Parley.TOKENS.user(user));
            }).iterator())
            .exec(ws("connect").connect("/ws?sid=#{user}").header("Authorization", "Bearer #{token}"))
            .exec(pause(HOLD_SECONDS))
            .exec(ws("close").close());

    {
        setUp(storm.injectOpen(rampUsers(USERS).during(RAMP_SECONDS)))
                .protocols(Parley.protocol())
                .assertions(Parley.assertions(1000, "connect"));
    }
}
