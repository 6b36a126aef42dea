package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.parley.gateway.support.AsyncApiDoc;
import io.parley.gateway.support.Multipart;
import io.parley.gateway.support.TestImages;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import io.parley.protocol.events.EventNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code events} channel of the served AsyncAPI document is what the server does: its
 * examples are one conversation (customer {@code 1}, staff {@code 2}, application {@code 100};
 * user {@code 3} added and removed by the application's backend), replayed here in order on a
 * fresh node. Every client example is sent as it is, except that
 * the message ids the document shows are swapped for the ones this node minted in their place
 * (and a placeholder token for a real one);
 * every reply and push must validate against its documented payload schema and equal the
 * documented example, once those ids are mapped back and timestamps (checked to be RFC 3339)
 * are set aside. Every example of the channel must be used.
 */
class AsyncApiEventsExamplesTest {
    /** Fields holding ids the server mints (below the frame's top level, where {@code id} is the request id). */
    private static final Set<String> MINTED = Set.of("id", "message_id", "reply_to", "before_id", "after_id");
    private static final Set<String> TIMESTAMPS = Set.of("create_at", "update_at", "expires_at");
    /** The attachment the image example carries, as the document names it. */
    private static final String DOCUMENTED_ATTACHMENT = "hR3m1c0a9vQ2Zp7LkXyT8w";
    private static TestNode node;
    private static AsyncApiDoc doc;

    /** Documented id → the id this node minted for the same thing, and back. */
    private final Map<Long, Long> docToReal = new HashMap<>();
    private final Map<Long, Long> realToDoc = new HashMap<>();
    private final Set<String> used = new TreeSet<>();
    private String uploadedAttachment = DOCUMENTED_ATTACHMENT;

    @BeforeAll
    static void start() {
        node = TestNode.start(); // its own node: the documented conversation list is the whole list
        doc = AsyncApiDoc.served(node);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void everyEventsExampleIsWhatTheServerDoes() throws Exception {
        try (WsClient customer = node.connectEvents("1");
             WsClient staff = WsClient.connect(node.ws("/ws?sid=2"), "access_token", TestNode.staffToken("2"))) {
            customer.send(request("EventsAddConversation", "add"));
            JsonNode added = customer.awaitName(EventNames.ADD_CONVERSATION);
            minted("EventsAddConversationReply", "add", "/result/id", added);
            matches("EventsAddConversationReply", "add", added);

            customer.send(request("EventsGetConversationList", "list"));
            matches("EventsGetConversationListReply", "list", customer.awaitName(EventNames.GET_CONVERSATION_LIST));

            customer.send(request("EventsSendMessage", "argsString")); // args as a string holding JSON
            JsonNode sent = customer.awaitName(EventNames.SEND_MESSAGE);
            minted("EventsSendMessageReply", "argsString", "/result/message/id", sent);
            matches("EventsSendMessageReply", "argsString", sent);

            staff.send(request("EventsGetMessageList", "newest")); // staff join by reading the history
            matches("EventsGetMessageListReply", "newest", staff.awaitName(EventNames.GET_MESSAGE_LIST));
            matches("EventsMemberChanged", "staffJoined", customer.awaitName(EventNames.MEMBER_CHANGED));

            uploadTheDocumentsImage();
            staff.send(request("EventsSendMessage", "image"));
            JsonNode image = staff.awaitName(EventNames.SEND_MESSAGE);
            minted("EventsSendMessageReply", "image", "/result/message/id", image);
            matches("EventsSendMessageReply", "image", image);
            matches("EventsReceiveMessage", "image", customer.awaitName(EventNames.RECEIVE_MESSAGE));

            staff.send(request("EventsReadMessage", "read"));
            matches("EventsReadMessageReply", "read", staff.awaitName(EventNames.READ_MESSAGE));
            matches("EventsMessageStatus", "read", customer.awaitName(EventNames.MESSAGE_STATUS));

            customer.send(request("EventsGetUnreadInfo", "unread"));
            matches("EventsGetUnreadInfoReply", "unread", customer.awaitName(EventNames.GET_UNREAD_INFO));

            customer.send(request("EventsEditMessage", "edit"));
            matches("EventsEditMessageReply", "edit", customer.awaitName(EventNames.EDIT_MESSAGE));
            matches("EventsMessageChanged", "edited", staff.awaitName(EventNames.MESSAGE_CHANGED));

            customer.send(request("EventsGetMessageList", "before"));
            matches("EventsGetMessageListReply", "before", customer.awaitName(EventNames.GET_MESSAGE_LIST));
            customer.send(request("EventsGetMessageList", "after"));
            matches("EventsGetMessageListReply", "after", customer.awaitName(EventNames.GET_MESSAGE_LIST));

            customer.send(request("EventsDeleteMessage", "delete"));
            matches("EventsDeleteMessageReply", "delete", customer.awaitName(EventNames.DELETE_MESSAGE));
            matches("EventsMessageChanged", "deleted", staff.awaitName(EventNames.MESSAGE_CHANGED));

            // The application's backend adds user 3 and removes them again: every member is told, 3 too.
            try (WsClient third = node.connectEvents("3")) {
                node.awaitOnline("3");
                assertThat(node.service("POST", "/api/v1/chats/100/members", "{\"user_id\":\"3\"}").statusCode())
                        .isEqualTo(200);
                for (WsClient member : List.of(customer, staff, third)) {
                    matches("EventsMemberChanged", "added", member.await(memberChange("3", "joined")));
                }
                assertThat(node.service("DELETE", "/api/v1/chats/100/members/3", null).statusCode()).isEqualTo(204);
                for (WsClient member : List.of(customer, staff, third)) {
                    matches("EventsMemberChanged", "removed", member.await(memberChange("3", "left")));
                }
            }

            // Errors: the frames are the ones the examples' summaries quote.
            customer.send("{\"name\":\"Event.Shout\",\"args\":{}}");
            matches("EventsError", "unknownName", customer.awaitName(EventNames.ERROR));
            customer.send("{\"args\":{}}");
            matches("EventsError", "noName", customer.awaitName(EventNames.ERROR));
            customer.send("{\"name\":\"Event.SendMessage\",\"id\":\"9\",\"args\":{\"session_channel\":\"100\","
                    + "\"sender_id\":2,\"content\":\"Hi\"}}");
            matches("EventsError", "notYou", customer.awaitName(EventNames.SEND_MESSAGE));
            customer.send("{\"name\":\"Event.ReadMessage\",\"args\":{\"session_channel\":\"100\",\"executor_id\":1}}");
            matches("EventsError", "missingArgument", customer.awaitName(EventNames.READ_MESSAGE));

            // Token refresh: the document's placeholder stands for a real token of the user.
            customer.send(request("EventsRefreshToken", "refresh").replace("<a fresh JWT of user 1>", TestNode.token("1")));
            matches("EventsRefreshTokenReply", "refresh", customer.awaitName(EventNames.REFRESH_TOKEN));
            customer.send(refresh(TestNode.token("2")));
            matches("EventsError", "refreshAsAnother", customer.awaitName(EventNames.REFRESH_TOKEN));
            customer.send(refresh(JWT.create().withSubject("1").withExpiresAt(Instant.now().minusSeconds(3600))
                    .sign(Algorithm.HMAC256(TestNode.SECRET))));
            matches("EventsError", "refreshExpired", customer.awaitName(EventNames.REFRESH_TOKEN));
        }
        assertThat(used).as("examples of the events channel replayed here").isEqualTo(channelExamples());
    }

    @Test
    void theChannelDocumentsEveryName() {
        Set<String> documented = new TreeSet<>();
        for (JsonNode message : doc.tree().at("/channels/events/messages")) {
            documented.add(doc.tree().at(pointer(message)).path("payload").toString());
        }
        String all = String.join("\n", documented);
        for (String name : EventNames.CLIENT_NAMES) {
            assertThat(all).as("a request and a reply for %s", name).contains("{\"const\":\"" + name + "\"}");
        }
        for (String name : EventNames.SERVER_NAMES) {
            assertThat(all).as("a push %s", name).contains("{\"const\":\"" + name + "\"}");
        }
        assertThat(doc.tree().at("/channels/events/messages").size()).isEqualTo(2 * EventNames.CLIENT_NAMES.size()
                + EventNames.SERVER_NAMES.size() + 1);
    }

    /**
     * Staff user 2 uploads the image the document's example sends (a PNG of the documented size
     * and name; its byte size depends on the JDK's encoder, so it is set aside like the ids).
     */
    private void uploadTheDocumentsImage() throws Exception {
        Multipart png = Multipart.file("file", "cat.png", "image/png", TestImages.png(640, 480));
        HttpResponse<String> uploaded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        node.http("/api/v1/chats/100/attachments"))
                .header("Authorization", "Bearer " + TestNode.staffToken("2"))
                .header("Content-Type", png.contentType())
                .POST(png.publisher()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        uploadedAttachment = new ObjectMapper().readTree(uploaded.body()).at("/attachment/id").asText();
    }

    private static JsonNode readTree(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An {@code Event.MemberChanged} push about {@code user}. */
    private static Predicate<JsonNode> memberChange(String user, String change) {
        return m -> m.path("name").asText().equals(EventNames.MEMBER_CHANGED)
                && m.at("/result/user_id").asText().equals(user) && m.at("/result/change").asText().equals(change);
    }

    /** The refresh frame the error examples' summaries quote, with a real token. */
    private static String refresh(String token) {
        return "{\"name\":\"Event.RefreshToken\",\"args\":{\"token\":\"" + token + "\"}}";
    }

    /** A client example as JSON text, its documented ids swapped for minted ones. */
    private String request(String messageKey, String example) {
        used.add(messageKey + "/" + example);
        ObjectNode frame = doc.example(messageKey, example);
        assertThat(doc.violations(messageKey, frame)).as("%s/%s", messageKey, example).isEmpty();
        if (frame.path("args").isObject()) {
            ObjectNode args = (ObjectNode) frame.path("args");
            for (String field : MINTED) {
                if (args.has(field)) {
                    Long real = docToReal.get(args.path(field).asLong());
                    assertThat(real).as("%s/%s: %s %s stands for no id the server minted so far",
                            messageKey, example, field, args.path(field)).isNotNull();
                    args.put(field, real);
                }
            }
        }
        return frame.toString().replace(DOCUMENTED_ATTACHMENT, uploadedAttachment);
    }

    /** Records that the id at {@code pointer} in {@code actual} is the one the example shows there. */
    private void minted(String messageKey, String example, String pointer, JsonNode actual) {
        long documented = doc.example(messageKey, example).at(pointer).asLong();
        long real = actual.at(pointer).asLong();
        assertThat(real).as("%s in %s", pointer, actual).isPositive();
        docToReal.put(documented, real);
        realToDoc.put(real, documented);
    }

    /** The frame validates against the message's schema and is the example, ids mapped back, times aside. */
    private void matches(String messageKey, String example, JsonNode actual) {
        used.add(messageKey + "/" + example);
        assertThat(doc.violations(messageKey, actual)).as("%s: %s", messageKey, actual).isEmpty();
        JsonNode expected = normalized(doc.example(messageKey, example), Map.of(), 0);
        JsonNode real = readTree(actual.toString().replace(uploadedAttachment, DOCUMENTED_ATTACHMENT));
        assertThat(normalized(real, realToDoc, 0)).as("%s/%s", messageKey, example).isEqualTo(expected);
    }

    private static JsonNode normalized(JsonNode node, Map<Long, Long> ids, int depth) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                if (depth > 0 && MINTED.contains(field.getKey()) && value.isIntegralNumber()) {
                    field.setValue(object.numberNode(ids.getOrDefault(value.asLong(), value.asLong())));
                } else if (field.getKey().equals("size") && value.isIntegralNumber()) {
                    assertThat(value.asLong()).isPositive(); // an attachment's bytes: the encoder's
                    field.setValue(TextNode.valueOf("<size>"));
                } else if (TIMESTAMPS.contains(field.getKey())) {
                    Instant.parse(value.asText()); // RFC 3339 UTC
                    field.setValue(TextNode.valueOf("<timestamp>"));
                } else {
                    normalized(value, ids, depth + 1);
                }
            }
        } else if (node.isArray()) {
            node.forEach(item -> normalized(item, ids, depth + 1));
        }
        return node;
    }

    private static Set<String> channelExamples() {
        Set<String> all = new TreeSet<>();
        for (JsonNode message : doc.tree().at("/channels/events/messages")) {
            String pointer = pointer(message);
            String key = pointer.substring(pointer.lastIndexOf('/') + 1);
            for (JsonNode example : doc.tree().at(pointer).path("examples")) {
                all.add(key + "/" + example.path("name").asText());
            }
        }
        return all;
    }

    /** {@code #/components/messages/X} as a JSON pointer. */
    private static String pointer(JsonNode ref) {
        return ref.path("$ref").asText().substring(1);
    }
}
