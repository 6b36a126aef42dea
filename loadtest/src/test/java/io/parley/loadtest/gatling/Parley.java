package io.parley.loadtest.gatling;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.parley.loadtest.client.Tokens;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * What every simulation shares: the target node, tokens minted from its HS256 secret, sizes from
 * system properties, the standard assertions, and a plain-Java REST helper for set-up in
 * {@code before()}.
 *
 * <p>Properties (all {@code -Dname=value} on the Maven command line; the plugin passes them to the
 * Gatling JVM): {@code base} (http://127.0.0.1:8080, any node of a cluster), {@code secret} (else
 * the environment's {@code PARLEY_JWT_SECRET}), {@code maxErrorPercent} (1), {@code p99Ms} (per
 * simulation), plus each simulation's sizes.
 */
final class Parley {
    static final String BASE = System.getProperty("base", "http://127.0.0.1:8080").replaceAll("/+$", "");
    static final String WS_BASE = BASE.replaceFirst("^http", "ws");
    /** A fresh prefix per run: users and chats never collide with an earlier run's on a persistent store. */
    static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    /** A fresh numeric base per run for ids that must be numbers (events' application_id), below 2^53. */
    static final long RUN_NUMBER = System.currentTimeMillis() % 1_000_000_000L * 100_000L;
    static final Tokens TOKENS = new Tokens(secret(), Duration.ofHours(6));

    private static final Pattern CHAT_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Parley() {
    }

    static int intProp(String name, int fallback) {
        return Integer.getInteger(name, fallback);
    }

    static HttpProtocolBuilder protocol() {
        return http.baseUrl(BASE).wsBaseUrl(WS_BASE).acceptHeader("application/json")
                .userAgentHeader("parley-gatling");
    }

    /**
     * Every simulation fails (non-zero exit, red report) when more than {@code maxErrorPercent} of
     * all requests and checks fail, or when the p99 of a timed request is over {@code p99Ms}. Only
     * the named requests are timed: checks that merely wait for a push (armed long before it
     * comes) measure waiting, not latency.
     */
    static List<Assertion> assertions(int defaultP99Ms, String... timed) {
        List<Assertion> all = new ArrayList<>();
        all.add(global().failedRequests().percent().lte(Double.parseDouble(System.getProperty("maxErrorPercent", "1"))));
        for (String name : timed) {
            all.add(details(name).responseTime().percentile(99.0).lte(intProp("p99Ms", defaultP99Ms)));
        }
        return all;
    }

    /** {@code POST /api/v1/chats} as {@code owner}; returns the chat id. For set-up in {@code before()}. */
    static String createChat(String owner, String json) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/api/v1/chats"))
                            .header("Authorization", "Bearer " + TOKENS.user(owner))
                            .header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = CHAT_ID.matcher(r.body());
            if (r.statusCode() / 100 != 2 || !m.find()) {
                throw new IllegalStateException("POST /api/v1/chats answered " + r.statusCode() + ": " + r.body());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + BASE + " (is the node running? -Dbase=...)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An {@code events} request frame: {@code {"name": "Event.<name>", "args": {<args>}}}. */
    static String event(String name, String args) {
        return "{\"name\":\"Event." + name + "\",\"args\":{" + args + "}}";
    }

    /** A check named {@code check} for the successful reply to {@code Event.<name>}. */
    static io.gatling.javaapi.http.WsFrameCheck.Text eventOk(String check, String name) {
        return ws.checkTextMessage(check).matching(jsonPath("$.name").is("Event." + name))
                .check(jsonPath("$.ok").ofBoolean().is(true));
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String secret() {
        String secret = System.getProperty("secret", System.getenv("PARLEY_JWT_SECRET"));
        if (secret == null) {
            throw new IllegalStateException("no token secret: pass -Dsecret=... (the node's PARLEY_JWT_SECRET)"
                    + " or export PARLEY_JWT_SECRET");
        }
        return secret;
    }
}
