package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.parley.gateway.metrics.RefusedHandshakes;
import io.parley.gateway.server.BuildInfo;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestRedis;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node view's API ({@code GET /api/v1/admin/node}) on a real node: who may read it, that it
 * hides every secret of the configuration, that its numbers are the node's own meters and move with
 * real traffic, that refused handshakes are listed (without their query), and on two nodes sharing
 * a Redis that each knows the other. Also the page it serves at {@code /admin}.
 */
class AdminApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/api/v1/admin/node";
    private static final String WEBHOOK_KEY = "webhook-secret-webhook-secret-0123456789";
    private static final String DB_PASSWORD = "db-password-never-shown";
    private static final String HOOK_TOKEN = "hook-token-never-shown";

    // A webhook receiver nobody listens at: only its URL's token and its secret matter here.
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b
            .set(WEBHOOK_URL, "http://127.0.0.1:9/hook?token=" + HOOK_TOKEN)
            .set(WEBHOOK_SECRET, WEBHOOK_KEY)
            .set(STORAGE_PASSWORD, DB_PASSWORD));

    private static HttpResponse<String> view(String token) throws Exception {
        return token == null ? node.get(PATH) : node.call("GET", PATH, token, null);
    }

    private static JsonNode adminView() throws Exception {
        HttpResponse<String> response = view(TestNode.staffToken("ops"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void onlyAdminAndServiceTokensMayReadIt() throws Exception {
        HttpResponse<String> none = view(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).at("/error/message").asText()).contains("missing");
        assertThat(view("not.a.token").statusCode()).isEqualTo(401);

        HttpResponse<String> user = view(TestNode.token("someone"));
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(user.body()).at("/error/message").asText())
                .isEqualTo("the node view needs a token with role \"admin\" or \"service\"");
        assertThat(user.body()).doesNotContain("configuration");

        assertThat(view(TestNode.staffToken("ops")).statusCode()).isEqualTo(200);
        assertThat(view(TestNode.serviceToken()).statusCode()).isEqualTo(200);
        HttpResponse<String> post = node.call("POST", PATH, TestNode.staffToken("ops"), "{}");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET");
    }

    @Test
    void theConfigurationIsTheLoggedOneWithEverySecretHidden() throws Exception {
        HttpResponse<String> response = view(TestNode.serviceToken());
        String body = response.body();
        assertThat(body).doesNotContain(TestNode.SECRET, WEBHOOK_KEY, DB_PASSWORD, HOOK_TOKEN);
        JsonNode configuration = JSON.readTree(body).path("configuration");
        assertThat(configuration.path("jwt_secret").asText()).isEqualTo("***");
        assertThat(configuration.path("webhook_secret").asText()).isEqualTo("***");
        assertThat(configuration.path("storage_password").asText()).isEqualTo("***");
        assertThat(configuration.path("webhook_url").asText()).isEqualTo("http://127.0.0.1:9/hook?token=***");
        assertThat(configuration.path("storage_url").asText()).isEqualTo("-");
        assertThat(configuration.path("port").asText()).isEqualTo("0");
        // Every key, in the order the start-up log prints them.
        List<String> keys = new java.util.ArrayList<>();
        configuration.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyElementsOf(node.server().config().shown().keySet());
    }

    @Test
    void itSaysWhichNodeAndBuildRunsAndOnWhatBus() throws Exception {
        JsonNode view = adminView();
        assertThat(view.at("/node/id").asInt()).isZero();
        assertThat(view.at("/node/version").asText()).isEqualTo(BuildInfo.version());
        assertThat(view.at("/node/java").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(view.at("/node/uptime_seconds").asDouble()).isPositive();
        assertThat(Instant.parse(view.at("/node/started_at").asText())).isBefore(Instant.now());
        assertThat(view.at("/cluster/bus").asText()).isEqualTo("local");
        assertThat(view.at("/cluster/connected").asBoolean()).isTrue();
        assertThat(view.at("/cluster/nodes").toString()).isEqualTo("[0]");
        assertThat(view.at("/cluster/redis_servers")).isEmpty();
    }

    @Test
    void itsNumbersAreTheNodesMetersAndMoveWithTraffic() throws Exception {
        JsonNode before = adminView();
        String channel = "77001";
        try (WsClient customer = node.connectEvents("admin-view-1");
             WsClient agent = WsClient.connect(node.ws("/ws?sid=admin-view-2"), "access_token",
                     TestNode.staffToken("admin-view-2"))) {
            customer.event("Event.AddConversation", Map.of("user_id", "admin-view-1", "application_id", 77001));
            customer.awaitName("Event.AddConversation");
            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", "admin-view-2"));
            agent.awaitName("Event.GetMessageList");
            for (int i = 0; i < 3; i++) {
                String text = "count me " + i;
                customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", "admin-view-1",
                        "content", text));
                customer.awaitName("Event.SendMessage");
                agent.await(m -> m.path("name").asText().equals("Event.ReceiveMessage")
                        && m.at("/result/message/content").asText().equals(text));
            }

            JsonNode during = adminView();
            assertThat(during.at("/connections/by_dialect/events").asLong())
                    .isEqualTo(before.at("/connections/by_dialect/events").asLong() + 2);
            assertThat(during.at("/connections/total").asLong()).isGreaterThanOrEqualTo(2);
            long messages = during.at("/traffic/messages_in").asLong();
            assertThat(messages).isGreaterThanOrEqualTo(before.at("/traffic/messages_in").asLong() + 3);
            assertThat(during.at("/traffic/deliveries").asLong())
                    .isGreaterThanOrEqualTo(before.at("/traffic/deliveries").asLong() + 3);
            assertThat(during.at("/traffic/frames_in").asLong())
                    .isGreaterThanOrEqualTo(before.at("/traffic/frames_in").asLong() + 5);
            assertThat(during.at("/traffic/frames_out").asLong())
                    .isGreaterThan(before.at("/traffic/frames_out").asLong());
            // The same numbers /metrics exports (nothing else sends on this node meanwhile).
            assertThat((double) messages).isEqualTo(node.metric("parley_messages_in_total "));
            assertThat((double) during.at("/connections/by_dialect/events").asLong())
                    .isEqualTo(node.metric("parley_connections{dialect=\"events\"}"));

            JsonNode latency = during.path("commit_latency");
            long commits = latency.path("count").asLong();
            assertThat(commits).isGreaterThanOrEqualTo(before.at("/commit_latency/count").asLong() + 3)
                    .isEqualTo((long) node.metric("parley_history_commit_latency_seconds_count"));
            assertThat(latency.path("sum_seconds").asDouble()).isPositive();
            assertThat(latency.path("max_seconds").asDouble()).isPositive();
            // Cumulative buckets, ascending: the last holds every commit that fit in the histogram.
            JsonNode buckets = latency.path("buckets");
            assertThat(buckets.size()).isGreaterThan(10);
            for (int i = 1; i < buckets.size(); i++) {
                assertThat(buckets.get(i).path("le").asDouble()).isGreaterThan(buckets.get(i - 1).path("le").asDouble());
                assertThat(buckets.get(i).path("count").asLong()).isGreaterThanOrEqualTo(buckets.get(i - 1).path("count").asLong());
            }
            assertThat(buckets.get(buckets.size() - 1).path("count").asLong()).isEqualTo(commits);
        }
        JsonNode after = awaitView(v -> v.at("/connections/by_dialect/events").asLong()
                == before.at("/connections/by_dialect/events").asLong());
        assertThat(after.at("/node/uptime_seconds").asDouble()).isGreaterThan(before.at("/node/uptime_seconds").asDouble());
    }

    @Test
    void refusedHandshakesAreListedNewestFirstWithoutTheirQuery() throws Exception {
        int refused = WsClient.refusedStatus(node.ws("/ws?sid=intruder&token=query-secret"), "access_token", "bad.token.here");
        assertThat(refused).isEqualTo(401);
        int forbidden = WsClient.refusedStatus(node.ws("/ws?sid=someone-else"), "access_token", TestNode.token("intruder"));
        assertThat(forbidden).isEqualTo(403);

        HttpResponse<String> response = view(TestNode.staffToken("ops"));
        assertThat(response.body()).doesNotContain("query-secret", "bad.token.here");
        JsonNode refusals = JSON.readTree(response.body()).path("refused_handshakes");
        assertThat(refusals.path("capacity").asInt()).isEqualTo(RefusedHandshakes.CAPACITY);
        JsonNode newest = refusals.at("/recent/0");
        JsonNode older = refusals.at("/recent/1");
        assertThat(newest.path("path").asText()).isEqualTo("/ws");
        assertThat(newest.path("reason").asText()).isEqualTo("identity");
        assertThat(newest.path("status").asInt()).isEqualTo(403);
        assertThat(newest.path("remote_address").asText()).isEqualTo("127.0.0.1");
        assertThat(older.path("path").asText()).isEqualTo("/ws");
        assertThat(older.path("reason").asText()).isEqualTo("malformed");
        assertThat(older.path("status").asInt()).isEqualTo(401);
        assertThat(Duration.between(Instant.parse(older.path("time").asText()), Instant.now()))
                .isLessThan(Duration.ofMinutes(1));
        JsonNode traffic = JSON.readTree(response.body()).path("traffic");
        assertThat(traffic.path("handshakes_refused").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(traffic.path("handshakes_accepted").asLong() + traffic.path("handshakes_refused").asLong())
                .isEqualTo((long) node.metric("parley_handshakes_total{"));
        assertThat(node.metric("parley_refused_handshakes_kept")).isEqualTo(refusals.path("recent").size());
    }

    /** The answer is what {@code /openapi.yaml} says it is (its NodeView schema, every required part there). */
    @Test
    void theAnswerMatchesTheDocumentedSchema() throws Exception {
        JsonNode contract = JSON.readTree(node.get("/openapi.json").body());
        assertThat(contract.at("/paths/~1api~1v1~1admin~1node/get/responses/200/content/application~1json/schema/$ref")
                .asText()).isEqualTo("#/components/schemas/NodeView");
        JsonNode schema = contract.at("/components/schemas/NodeView");
        JsonSchema nodeView = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        WsClient.refusedStatus(node.ws("/ws?sid=schema"), "access_token", "bad.token.here"); // one refusal listed
        JsonNode view = adminView();
        assertThat(view.at("/refused_handshakes/recent")).isNotEmpty();
        assertThat(nodeView.validate(view)).isEmpty();
        // Not vacuous: a wrong shape is refused.
        ((com.fasterxml.jackson.databind.node.ObjectNode) view.path("cluster")).put("bus", "carrier pigeon");
        ((com.fasterxml.jackson.databind.node.ObjectNode) view).remove("traffic");
        assertThat(nodeView.validate(view)).hasSize(2);
    }

    @Test
    void thePageAndItsFilesAreServed() throws Exception {
        HttpResponse<String> page = node.get("/admin");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("/assets/admin.js", "/assets/admin.css",
                "/assets/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
        HttpResponse<String> script = node.get("/assets/admin.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains(PATH, "sessionStorage");
        assertThat(node.get("/assets/admin.css").statusCode()).isEqualTo(200);
    }

    /** Two nodes on one Redis: each lists both, on a connected Redis bus, with the Redis it uses. */
    @Test
    void aClusterNodeListsItsPeersAndItsRedis() throws Exception {
        try (TestRedis redis = TestRedis.start();
             TestNode one = TestNode.start(b -> b.set(NODE_ID, 1).set(REDIS_URL, redis.url()));
             TestNode two = TestNode.start(b -> b.set(NODE_ID, 2).set(REDIS_URL, redis.url()))) {
            JsonNode view = awaitView(one, v -> v.at("/cluster/nodes").toString().equals("[1,2]"));
            assertThat(view.at("/node/id").asInt()).isEqualTo(1);
            assertThat(view.at("/cluster/bus").asText()).isEqualTo("redis");
            assertThat(view.at("/cluster/connected").asBoolean()).isTrue();
            assertThat(view.at("/cluster/redis_servers/0/endpoint").asText()).endsWith(":" + redis.port());
            assertThat(view.at("/cluster/redis_servers/0/connections").asLong()).isPositive();
            assertThat(view.at("/configuration/redis_url").asText()).isEqualTo(redis.url());
            assertThat(awaitView(two, v -> v.at("/cluster/nodes").toString().equals("[1,2]")).at("/node/id").asInt())
                    .isEqualTo(2);
        }
    }

    private static JsonNode awaitView(Predicate<JsonNode> match) throws Exception {
        return awaitView(node, match);
    }

    private static JsonNode awaitView(TestNode on, Predicate<JsonNode> match) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode view;
        do {
            HttpResponse<String> response = on.call("GET", PATH, TestNode.staffToken("ops"), null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            view = JSON.readTree(response.body());
            if (match.test(view)) {
                return view;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the node view never matched; last: " + view);
    }
}
