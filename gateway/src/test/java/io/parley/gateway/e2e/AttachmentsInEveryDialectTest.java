package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.Multipart;
import io.parley.gateway.support.TestImages;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five users, one per dialect, in one chat: each uploads a file and sends it in its own
 * dialect's frame; every other member receives it, in its own dialect's shape, with the same
 * attachment.
 */
class AttachmentsInEveryDialectTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    /** One member: its socket, its frame sending an attachment, and where its deliveries show one. */
    private record Member(String user, WsClient socket, Function<String, Object> send, Predicate<JsonNode> isMessage,
                          String attachmentPointer) {
    }

    @Test
    void everyDialectSendsAndReceivesAnAttachment() throws Exception {
        String chat = node.createChat("f-events", "group", "f-typed", "f-actions", "f-pair", "f-feed");
        List<Member> members = new ArrayList<>();
        try {
            members.add(new Member("f-events", node.connectEvents("f-events"),
                    id -> Map.of("name", "Event.SendMessage", "args",
                            Map.of("session_channel", chat, "sender_id", "f-events", "attachment_id", id)),
                    m -> m.path("name").asText().equals("Event.ReceiveMessage"), "/result/message/attachment"));
            members.add(new Member("f-typed", node.connectTyped("f-typed"),
                    id -> Map.of("type", "new_message", "content",
                            Map.of("chat_type", "project", "chat_id", chat, "attachment_id", id, "message", "see")),
                    m -> m.path("type").asText().equals("new_message")
                            && !m.at("/content/sender_id").asText().equals("f-typed"), "/content/attachment"));
            members.add(new Member("f-actions", node.connectActions("f-actions"),
                    id -> Map.of("type", "send_message", "chat_id", chat, "attachment_id", id),
                    m -> m.path("type").asText().equals("new_message"), "/data/message/attachment"));
            members.add(new Member("f-pair", node.connectPairAs(chat, "f-pair"),
                    id -> Map.of("sessionId", TestNode.token("f-pair"), "attachmentId", id),
                    m -> m.has("messageId") && !m.path("senderId").asText().equals("f-pair"), "/attachment"));
            WsClient feed = node.connectFeed("f-feed", chat, false);
            feed.awaitType("update"); // the (empty) history comes first
            members.add(new Member("f-feed", feed,
                    id -> Map.of("type", "update", "message", List.of(Map.of("type", "message", "attachment_id", id))),
                    m -> m.path("type").asText().equals("update") && !m.at("/message/0/sender").asText().equals("f-feed"),
                    "/message/0/attachment"));

            for (Member sender : members) {
                String id = upload(sender.user(), chat);
                sender.socket().json(sender.send().apply(id));
                for (Member reader : members) {
                    if (reader == sender) {
                        continue;
                    }
                    JsonNode delivered = reader.socket().await(reader.isMessage());
                    JsonNode attachment = delivered.at(reader.attachmentPointer());
                    assertThat(attachment.path("id").asText()).as("%s sees %s's file in %s", reader.user(),
                            sender.user(), delivered).isEqualTo(id);
                    assertThat(attachment.path("url").asText()).isEqualTo("/api/v1/attachments/" + id);
                    assertThat(attachment.path(reader.user().equals("f-pair") ? "mediaType" : "media_type").asText())
                            .isEqualTo("image/png");
                    assertThat(attachment.path("width").asInt()).isEqualTo(3);
                }
            }
        } finally {
            members.forEach(m -> m.socket().close());
        }
    }

    private static String upload(String user, String chat) throws Exception {
        Multipart png = Multipart.file("file", user + ".png", "image/png", TestImages.png(3, 2));
        HttpResponse<String> uploaded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        node.http("/api/v1/chats/" + chat + "/attachments"))
                .header("Authorization", "Bearer " + TestNode.token(user))
                .header("Content-Type", png.contentType())
                .POST(png.publisher()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        return new ObjectMapper().readTree(uploaded.body()).at("/attachment/id").asText();
    }
}
