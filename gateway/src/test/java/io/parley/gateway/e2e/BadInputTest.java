package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bad input of the core issue: a clear error frame in the {@code events} shape and the
 * socket stays usable, or the RFC 6455 close code for protocol violations — and other people's
 * chats keep working throughout.
 */
class BadInputTest {
    private static final int MAX_FRAME = 4096;
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(MAX_FRAME_BYTES, MAX_FRAME).set(MAX_TEXT_LENGTH, 1000));

    private static JsonNode errorFor(WsClient client, String frame) {
        client.send(frame);
        return client.await(m -> !m.path("ok").asBoolean(true));
    }

    /** The socket still answers a good request after a bad one. */
    private static void assertStillWorks(WsClient client, String userId) {
        client.event("Event.GetConversationList", Map.of("user_id", userId));
        assertThat(client.awaitName("Event.GetConversationList").path("ok").asBoolean()).isTrue();
    }

    @Test
    void malformedJson() {
        try (WsClient c = node.connectEvents("b1")) {
            JsonNode error = errorFor(c, "{\"name\": \"Event.SendMessage\", \"args\": {");
            assertThat(error.at("/error/code").asInt()).isEqualTo(400);
            assertThat(error.at("/error/message").asText()).containsIgnoringCase("JSON");
            assertStillWorks(c, "b1");
        }
    }

    @Test
    void unknownEventNameListsTheSupportedOnes() {
        try (WsClient c = node.connectEvents("b2")) {
            JsonNode error = errorFor(c, "{\"name\":\"Event.Teleport\",\"args\":{}}");
            assertThat(error.path("name").asText()).isEqualTo("Event.Error");
            assertThat(error.at("/error/code").asInt()).isEqualTo(400);
            assertThat(error.at("/error/message").asText()).contains("Event.SendMessage");
            assertStillWorks(c, "b2");
        }
    }

    @Test
    void missingAndWrongTypedArgs() {
        try (WsClient c = node.connectEvents("b3")) {
            JsonNode missing = errorFor(c, "{\"name\":\"Event.SendMessage\"}");
            assertThat(missing.at("/error/code").asInt()).isEqualTo(400);
            assertThat(missing.path("name").asText()).isEqualTo("Event.SendMessage");

            JsonNode missingField = errorFor(c, "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"1\",\"sender_id\":\"b3\"}}");
            assertThat(missingField.at("/error/message").asText()).contains("content");

            JsonNode wrongType = errorFor(c, "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"b3\",\"application_id\":\"abc\"}}");
            assertThat(wrongType.at("/error/code").asInt()).isEqualTo(400);
            assertThat(wrongType.at("/error/message").asText()).contains("application_id");
            assertStillWorks(c, "b3");
        }
    }

    @Test
    void identityFieldNamingSomeoneElseIsForbidden() {
        try (WsClient c = node.connectEvents("b4")) {
            JsonNode error = errorFor(c, "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"victim\",\"application_id\":555001}}");
            assertThat(error.at("/error/code").asInt()).isEqualTo(403);
            // Nothing was created in the victim's name.
            try (WsClient victim = node.connectEvents("victim")) {
                victim.event("Event.GetConversationList", Map.of("user_id", "victim"));
                assertThat(victim.awaitName("Event.GetConversationList").at("/result/conversations")).isEmpty();
            }
            assertStillWorks(c, "b4");
        }
    }

    @Test
    void chatOfSomeoneElseIsForbiddenAndMissingChatIsNotFound() {
        try (WsClient owner = node.connectEvents("b5"); WsClient intruder = node.connectEvents("b6")) {
            owner.event("Event.AddConversation", Map.of("user_id", "b5", "application_id", 555002));
            owner.awaitName("Event.AddConversation");

            JsonNode forbidden = errorFor(intruder, "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"555002\",\"sender_id\":\"b6\",\"content\":\"hi\"}}");
            assertThat(forbidden.at("/error/code").asInt()).isEqualTo(403);
            JsonNode forbiddenRead = errorFor(intruder, "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"555002\",\"executor_id\":\"b6\"}}");
            assertThat(forbiddenRead.at("/error/code").asInt()).isEqualTo(403);

            JsonNode missing = errorFor(intruder, "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"999999999\",\"sender_id\":\"b6\",\"content\":\"hi\"}}");
            assertThat(missing.at("/error/code").asInt()).isEqualTo(404);

            // A second customer cannot take over an application's conversation.
            JsonNode conflict = errorFor(intruder, "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"b6\",\"application_id\":555002}}");
            assertThat(conflict.at("/error/code").asInt()).isEqualTo(409);
            assertStillWorks(intruder, "b6");
        }
    }

    @Test
    void tooLongTextIsRefusedButTheSocketStays() {
        try (WsClient c = node.connectEvents("b7")) {
            c.event("Event.AddConversation", Map.of("user_id", "b7", "application_id", 555003));
            c.awaitName("Event.AddConversation");
            JsonNode error = errorFor(c, "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"555003\",\"sender_id\":\"b7\",\"content\":\"" + "x".repeat(1001) + "\"}}");
            assertThat(error.at("/error/code").asInt()).isEqualTo(413);
            assertStillWorks(c, "b7");
        }
    }

    @Test
    void oversizeFrameClosesWith1009() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=b8", TestNode.token("b8"))) {
            raw.sendText("{\"name\":\"Event.GetConversationList\",\"args\":{\"user_id\":\"" + "x".repeat(MAX_FRAME) + "\"}}");
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
        assertOthersUnaffected();
    }

    @Test
    void oversizeFragmentedMessageClosesWith1009() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=b9", TestNode.token("b9"))) {
            byte[] chunk = "x".repeat(MAX_FRAME / 2 + 1).getBytes();
            raw.sendFrame(false, RawWebSocket.TEXT, chunk);
            raw.sendFrame(false, 0x0, chunk);
            raw.sendFrame(true, 0x0, chunk);
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
        }
        assertOthersUnaffected();
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=b10", TestNode.token("b10"))) {
            raw.sendFrame(RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1007);
        }
        assertOthersUnaffected();
    }

    @Test
    void binaryFrameClosesWith1003() {
        try (WsClient c = node.connectEvents("b11")) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertThat(c.awaitClose()).isEqualTo(1003);
        }
        assertOthersUnaffected();
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=b12", TestNode.token("b12"))) {
            raw.sendFrame(RawWebSocket.PING, "are you there".getBytes());
            RawWebSocket.Frame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.text()).isEqualTo("are you there");
        }
    }

    @Test
    void clientCloseIsEchoed() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=b13", TestNode.token("b13"))) {
            raw.sendFrame(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    /** Another user's conversation still works end to end. */
    private static void assertOthersUnaffected() {
        try (WsClient other = node.connectEvents("bystander")) {
            other.event("Event.AddConversation", Map.of("user_id", "bystander", "application_id", 555999));
            other.awaitName("Event.AddConversation");
            other.event("Event.SendMessage", Map.of("session_channel", "555999", "sender_id", "bystander", "content", "still fine"));
            assertThat(other.awaitName("Event.SendMessage").path("ok").asBoolean()).isTrue();
        }
        try {
            assertThat(node.get("/ready").statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
