package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static org.assertj.core.api.Assertions.assertThat;

/** Health, readiness, Prometheus metrics, development tokens and the browser page over real HTTP. */
class HttpRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    @Test
    void thePagesLibrariesAreServedFromTheJarAndNothingElse() throws Exception {
        HttpResponse<String> css = node.get("/assets/webjars/swagger-ui/5.35.0/swagger-ui.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(css.headers().firstValue("content-type")).contains("text/css; charset=utf-8");
        assertThat(css.headers().firstValue("cache-control").orElseThrow()).contains("immutable");
        assertThat(css.body()).contains(".swagger-ui");
        HttpResponse<String> chart = node.get("/assets/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
        HttpResponse<String> asyncApi = node.get("/asyncapi.json");
        assertThat(asyncApi.headers().firstValue("content-type")).contains("application/json");
        assertThat(JSON.readTree(asyncApi.body()).at("/channels/events/messages").size()).isPositive();
        assertThat(JSON.readTree(node.get("/openapi.json").body()).at("/paths/~1api~1v1~1chats").isObject()).isTrue();
        for (String outside : List.of("/assets/../docs/openapi.yaml", "/assets/%2e%2e/logback.xml",
                "/assets/webjars/swagger-ui/5.35.0/nothing.js", "/assets/index.html.bak", "/assets/.hidden.js")) {
            assertThat(node.get(outside).statusCode()).as(outside).isEqualTo(404);
        }
    }

    @Test
    void healthAndReady() throws Exception {
        HttpResponse<String> health = node.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("up");
        HttpResponse<String> ready = node.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("history_store").asText()).isEqualTo("up");
    }

    @Test
    void devTokenMintsATokenThatOpensASocket() throws Exception {
        HttpResponse<String> minted = node.post("/api/v1/dev/tokens", "{\"sub\":\"minted-user\"}");
        assertThat(minted.statusCode()).isEqualTo(201);
        String token = JSON.readTree(minted.body()).path("token").asText();
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=minted-user"), "access_token", token)) {
            c.event("Event.GetConversationList", Map.of("user_id", "minted-user"));
            assertThat(c.awaitName("Event.GetConversationList").path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void devTokenRefusesBadBodies() throws Exception {
        HttpResponse<String> noSub = node.post("/api/v1/dev/tokens", "{\"role\":\"admin\"}");
        assertThat(noSub.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noSub.body()).at("/error/message").asText()).contains("sub");
        assertThat(node.post("/api/v1/dev/tokens", "not json").statusCode()).isEqualTo(400);
        assertThat(node.get("/api/v1/dev/tokens").statusCode()).isEqualTo(405);
    }

    @Test
    void devTokensAreOffWhenDisabled() throws Exception {
        try (TestNode production = TestNode.start(b -> b.set(DEV_TOKENS, false))) {
            assertThat(production.post("/api/v1/dev/tokens", "{\"sub\":\"x\"}").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void metricsExposeConnectionsHandshakesFramesAndStoreLatency() throws Exception {
        try (WsClient c = node.connectEvents("metrics-user")) {
            c.event("Event.AddConversation", Map.of("user_id", "metrics-user", "application_id", 4242));
            c.awaitName("Event.AddConversation");
            c.event("Event.SendMessage", Map.of("session_channel", "4242", "sender_id", "metrics-user", "content", "count me"));
            c.awaitName("Event.SendMessage");
            c.send("{oops");
            c.await(m -> !m.path("ok").asBoolean(true));
            WsClient.refusedStatus(node.ws("/ws?sid=metrics-user"));

            HttpResponse<String> metrics = node.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            String body = metrics.body();
            assertThat(body).contains("parley_connections{dialect=\"events\"} 1.0");
            assertThat(body).contains("parley_handshakes_total{reason=\"ok\",result=\"accepted\"}");
            assertThat(body).contains("parley_handshakes_total{reason=\"missing\",result=\"rejected\"}");
            assertThat(body).contains("parley_frames_in_total{dialect=\"events\"}");
            assertThat(body).contains("parley_frames_out_total{dialect=\"events\"}");
            assertThat(body).contains("parley_messages_in_total");
            assertThat(body).contains("parley_errors_total{code=\"400\"}");
            assertThat(body).contains("parley_history_commit_latency_seconds");
            assertThat(body).containsPattern("parley_build_info\\{java=\"[^\"]+\",version=\"\\d+\\.\\d+\\.\\d+[^\"]*\"} 1(\\.0)?\n");
            assertThat(body).contains("parley_history_write_queue_depth");
        }
    }

    @Test
    void browserPageIsServedAndUnknownPathsAre404Json() throws Exception {
        HttpResponse<String> page = node.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        Map<String, String> files = assetsOf(page.body());
        assertThat(files).containsKeys("/assets/chat.css", "/assets/js/chat/main.js",
                "/assets/js/protocols/events.js", "/assets/js/protocols/typed.js", "/assets/js/protocols/actions.js",
                "/assets/js/protocols/pair.js", "/assets/js/protocols/feed.js");
        assertThat(files.get("/assets/js/connection.js")).contains("new WebSocket(");
        HttpResponse<String> explorer = node.get("/explorer");
        assertThat(explorer.statusCode()).isEqualTo(200);
        assertThat(assetsOf(explorer.body())).containsKeys("/assets/explorer.css", "/assets/js/explorer/main.js",
                "/assets/js/explorer/frames.js", "/assets/js/protocols/pair.js");
        HttpResponse<String> missing = node.get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(missing.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(404);
    }

    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/assets/[^\"]+)\"");
    private static final Pattern IMPORT = Pattern.compile("^(?:import|export)\\b[^;]*?from '([^']+)'|^import '([^']+)'",
            Pattern.MULTILINE);

    /**
     * Every file a page loads from /assets and every module those import, fetched from the node as
     * the browser would (relative imports resolved): each must be there with its content type.
     */
    private static Map<String, String> assetsOf(String html) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        Deque<String> todo = new ArrayDeque<>();
        ASSET.matcher(html).results().forEach(m -> todo.add(m.group(1)));
        while (!todo.isEmpty()) {
            String path = todo.poll();
            if (files.containsKey(path)) {
                continue;
            }
            HttpResponse<String> file = node.get(path);
            assertThat(file.statusCode()).as(path).isEqualTo(200);
            if (path.endsWith(".js")) {
                assertThat(file.headers().firstValue("content-type")).as(path).contains("text/javascript; charset=utf-8");
                Matcher imported = IMPORT.matcher(file.body());
                while (imported.find()) {
                    String target = imported.group(1) != null ? imported.group(1) : imported.group(2);
                    todo.add(URI.create("http://node" + path).resolve(target).getPath());
                }
            }
            files.put(path, file.body());
        }
        return files;
    }
}
