package io.parley.gateway.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deterministic fuzz corpus (seed {@link #SEED}, {@link #FRAMES} frames) against a real node:
 * random and truncated frames, deeply nested and huge JSON, wrong types, unicode edge cases,
 * control characters, SQL and HTML payloads. Every frame gets exactly one well-formed reply with
 * a client-error code (never 500, never a stack trace); payloads that are valid messages are
 * stored and returned verbatim; another user's conversation loses nothing and /ready stays 200.
 */
class FuzzCorpusTest {
    static final long SEED = 6455;
    static final int FRAMES = 600;
    private static final int MAX_FRAME = 64 * 1024;
    private static final String USER = "fz1";
    private static final String CHAT = "990001";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 403, 404, 409, 413);

    private static final String[] HOSTILE_TEXT = {
        "'; DROP TABLE messages; --", "1' OR '1'='1", "\" OR \"\"=\"", "Robert'); DELETE FROM chats;--",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><script>alert(document.cookie)</script>",
        "\"}],\"ok\":true,\"x\":[{\"", "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "%00%0d%0a", "\\u0000\\\\",
        "\uFEFFbom", "nul\u0000inside", "\u202Eevil-rtl\u202C", "e\u0301\u0301\u0301", "😀👩‍👩‍👧‍👦", "\uDBFF\uDFFF",
        "\uFFFF\uFFFE", "tab\tnew\nline\rcr", "\u0001\u0002\u001F\u007F", "ℌ𝔢𝔩𝔩𝔬", "a".repeat(4000), "𝄞".repeat(1000),
    };

    @Test
    void theCorpusGetsClientErrorsOnlyAndHarmsNoOne() throws Exception {
        Random random = new Random(SEED);
        try (TestNode node = TestNode.start(b -> b.set(MAX_FRAME_BYTES, MAX_FRAME).set(MAX_TEXT_LENGTH, 4000)
                .set(MAX_MESSAGES_PER_SECOND, 100_000).set(MESSAGE_BURST, 100_000));
             WsClient bystander = node.connectEvents("fz-by");
             WsClient agent = WsClient.connect(node.ws("/ws?sid=fz-agent"), "access_token", TestNode.staffToken("fz-agent"))) {
            bystander.event("Event.AddConversation", Map.of("user_id", "fz-by", "application_id", 990002));
            bystander.awaitName("Event.AddConversation");
            agent.event("Event.GetMessageList", Map.of("session_channel", "990002", "executor_id", "fz-agent"));
            agent.awaitName("Event.GetMessageList");

            RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=" + USER, TestNode.token(USER));
            assertThat(reply(raw, "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"" + USER
                    + "\",\"application_id\":" + CHAT + "}}").path("ok").asBoolean()).isTrue();

            List<String> stored = new ArrayList<>();
            int bystanderSent = 0;
            int errors = 0;
            for (int i = 0; i < FRAMES; i++) {
                int kind = random.nextInt(9);
                if (kind == 0) { // a valid message with a hostile payload: must come back verbatim
                    String content = HOSTILE_TEXT[random.nextInt(HOSTILE_TEXT.length)];
                    JsonNode ok = reply(raw, JSON.writeValueAsString(Map.of("name", "Event.SendMessage",
                            "args", Map.of("session_channel", CHAT, "sender_id", USER, "content", content))));
                    assertThat(ok.path("ok").asBoolean()).as("frame %d", i).isTrue();
                    assertThat(ok.at("/result/message/content").asText()).isEqualTo(content);
                    stored.add(content);
                } else {
                    JsonNode answer = reply(raw, hostileFrame(random, kind));
                    if (!answer.path("ok").asBoolean(false)) {
                        errors++;
                        assertThat(CLIENT_ERRORS).as("frame %d answered %s", i, answer).contains(answer.at("/error/code").asInt());
                        assertThat(answer.at("/error/message").asText()).doesNotContain("Exception", "\tat ", "io.parley");
                    }
                }
                if (i % 50 == 0) { // the rest of the world carries on
                    String text = "bystander " + bystanderSent++;
                    bystander.event("Event.SendMessage", Map.of("session_channel", "990002", "sender_id", "fz-by", "content", text));
                    assertThat(bystander.awaitName("Event.SendMessage").path("ok").asBoolean()).isTrue();
                    assertThat(agent.await(m -> text.equals(m.at("/result/message/content").asText())
                            || text.equals(m.at("/args/message/content").asText()) || m.toString().contains(text))).isNotNull();
                    assertThat(node.get("/ready").statusCode()).isEqualTo(200);
                }
            }
            assertThat(errors).as("the corpus is mostly bad input").isGreaterThan(FRAMES / 2);

            // Stored verbatim, in order.
            JsonNode page = reply(raw, "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"" + CHAT
                    + "\",\"executor_id\":\"" + USER + "\",\"limit\":200}}");
            List<String> returned = new ArrayList<>();
            page.at("/result/Messages").forEach(m -> returned.add(m.path("content").asText()));
            assertThat(returned).containsExactlyElementsOf(stored.size() > 200 ? stored.subList(stored.size() - 200, stored.size()) : stored);

            // Invalid UTF-8 is a protocol violation: 1007, and only that socket goes.
            raw.sendFrame(RawWebSocket.TEXT, new byte[] {'{', (byte) 0xF8, (byte) 0x88, (byte) 0x80, '}'});
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1007);
            raw.close();

            JsonNode history = null;
            agent.event("Event.GetMessageList", Map.of("session_channel", "990002", "executor_id", "fz-agent"));
            history = agent.awaitName("Event.GetMessageList");
            assertThat(history.at("/result/Messages")).as("no bystander message lost").hasSize(bystanderSent);
            assertThat(node.get("/ready").statusCode()).isEqualTo(200);
        }
    }

    /** Sends one text frame and reads its one reply, which must be valid JSON. */
    private static JsonNode reply(RawWebSocket raw, String frame) throws Exception {
        raw.sendText(frame);
        RawWebSocket.Frame answer = raw.readFrame();
        assertThat(answer).as("a reply to %s", abbreviate(frame)).isNotNull();
        assertThat(answer.opcode()).as("reply to %s", abbreviate(frame)).isEqualTo(RawWebSocket.TEXT);
        return JSON.readTree(answer.payload());
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String hostileFrame(Random random, int kind) throws Exception {
        String valid = JSON.writeValueAsString(Map.of("name", "Event.SendMessage", "args",
                Map.of("session_channel", CHAT, "sender_id", USER, "content", "hello")));
        return switch (kind) {
            case 1 -> randomText(random, 1 + random.nextInt(300));                              // noise
            case 2 -> valid.substring(0, random.nextInt(valid.length()));                       // truncated
            case 3 -> {                                                                         // deeply nested
                int depth = 500 + random.nextInt(7_500); // stays under max_frame_bytes
                yield random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"name\":\"Event.SendMessage\",\"args\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}";
            }
            case 4 -> "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"sender_id\":\""
                    + USER + "\",\"content\":\"" + "y".repeat(4001 + random.nextInt(MAX_FRAME - 4200)) + "\"}}"; // huge
            case 5 -> wrongTypes(random);
            case 6 -> "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"sender_id\":\""
                    + USER + "\",\"content\":\"raw" + (char) random.nextInt(0x20) + "control\"}}";  // invalid JSON
            case 7 -> "{\"name\":\"" + HOSTILE_TEXT[random.nextInt(HOSTILE_TEXT.length)].replace("\"", "'")
                    .replace("\\", "/").replaceAll("[\\x00-\\x1f]", "") + "\",\"args\":{}}";       // unknown names
            default -> "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\""
                    + HOSTILE_TEXT[random.nextInt(HOSTILE_TEXT.length)].replace("\"", "'").replace("\\", "/")
                    .replaceAll("[\\x00-\\x1f]", "") + "\",\"executor_id\":\"" + USER + "\"}}";  // hostile ids
        };
    }

    private static String wrongTypes(Random random) {
        String[] values = {"null", "true", "[]", "{}", "[1,2]", "1e999", "-0", "99999999999999999999999999",
                "\"\"", "\"   \"", "{\"$gt\":\"\"}", "0.5", "-1"};
        String v = values[random.nextInt(values.length)];
        String[] templates = {
            "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":%s,\"sender_id\":\"" + USER + "\",\"content\":\"x\"}}",
            "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"sender_id\":%s,\"content\":\"x\"}}",
            "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"sender_id\":\"" + USER + "\",\"content\":%s}}",
            "{\"name\":\"Event.ReadMessage\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"executor_id\":\"" + USER + "\",\"message_id\":%s}}",
            "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"" + USER + "\",\"application_id\":%s}}",
            "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"" + CHAT + "\",\"executor_id\":\"" + USER + "\",\"limit\":%s}}",
            "{\"name\":%s,\"args\":{}}", "{\"name\":\"Event.GetUnreadInfo\",\"args\":%s}", "%s",
        };
        return String.format(templates[random.nextInt(templates.length)], v);
    }

    /** Valid UTF-8 of any plane, including controls and JSON punctuation. */
    private static String randomText(Random random, int length) {
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> "{}[]\":,\\".charAt(random.nextInt(8));
                case 2 -> 0x80 + random.nextInt(0xD800 - 0x80);
                default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
            };
            s.appendCodePoint(cp);
        }
        return new String(s.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
