package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Two people chat over the {@code events} dialect (seed 002) through a real node and real sockets. */
class EventsChatTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass();
    private static final AtomicLong APPLICATIONS = new AtomicLong(1000);

    private static WsClient staff(String userId) {
        return WsClient.connect(node.ws("/ws?sid=" + userId), "access_token", TestNode.staffToken(userId));
    }

    @Test
    void customerAndStaffChatThroughASupportConversation() {
        long app = APPLICATIONS.incrementAndGet();
        try (WsClient customer = node.connectEvents("1"); WsClient agent = staff("2")) {
            assertThat(customer.subprotocol()).isEqualTo("access_token");

            // Seed literal form: args as a JSON string.
            customer.send("{\"name\":\"Event.AddConversation\",\"args\":\"{\\\"user_id\\\":1,\\\"application_id\\\":" + app + "}\"}");
            JsonNode added = customer.awaitName("Event.AddConversation");
            assertThat(added.path("ok").asBoolean()).isTrue();
            assertThat(added.at("/result/session_channel").asText()).isEqualTo(Long.toString(app));
            assertThat(added.at("/result/application_id").asLong()).isEqualTo(app);

            String channel = Long.toString(app);
            customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 1, "content", "Hey"));
            JsonNode sent = customer.awaitName("Event.SendMessage");
            assertThat(sent.path("ok").asBoolean()).isTrue();
            assertThat(sent.at("/result/message/content").asText()).isEqualTo("Hey");
            assertThat(sent.at("/result/message/sender_id").asLong()).isEqualTo(1);

            // Staff open the conversation (history), then receive its new messages.
            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 2));
            JsonNode page = agent.awaitName("Event.GetMessageList");
            assertThat(page.at("/result/Messages")).hasSize(1);
            assertThat(page.at("/result/Messages/0/content").asText()).isEqualTo("Hey");

            agent.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 2, "content", "Hello, how can I help?"));
            assertThat(agent.awaitName("Event.SendMessage").path("ok").asBoolean()).isTrue();
            JsonNode pushed = customer.awaitName("Event.ReceiveMessage");
            assertThat(pushed.at("/result/message/content").asText()).isEqualTo("Hello, how can I help?");
            assertThat(pushed.at("/result/message/sender_id").asLong()).isEqualTo(2);
            assertThat(pushed.at("/result/message/session_channel").asText()).isEqualTo(channel);

            customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", "1", "content", "My order is late"));
            assertThat(agent.awaitName("Event.ReceiveMessage").at("/result/message/content").asText())
                    .isEqualTo("My order is late");
        }
    }

    @Test
    void addConversationIsIdempotentAndListed() {
        long app = APPLICATIONS.incrementAndGet();
        try (WsClient customer = node.connectEvents("11")) {
            customer.event("Event.AddConversation", Map.of("user_id", 11, "application_id", app));
            JsonNode first = customer.awaitName("Event.AddConversation");
            customer.event("Event.AddConversation", Map.of("user_id", 11, "application_id", app));
            JsonNode second = customer.awaitName("Event.AddConversation");
            assertThat(second.path("result")).isEqualTo(first.path("result"));

            customer.event("Event.GetConversationList", Map.of("user_id", 11));
            JsonNode list = customer.awaitName("Event.GetConversationList");
            assertThat(list.at("/result/conversations")).hasSize(1);
            assertThat(list.at("/result/conversations/0/session_channel").asText()).isEqualTo(Long.toString(app));
        }
    }

    @Test
    void historyPagesBackWithBeforeIdAndLimit() {
        long app = APPLICATIONS.incrementAndGet();
        String channel = Long.toString(app);
        try (WsClient customer = node.connectEvents("21")) {
            customer.event("Event.AddConversation", Map.of("user_id", 21, "application_id", app));
            customer.awaitName("Event.AddConversation");
            for (int i = 1; i <= 5; i++) {
                customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 21, "content", "m" + i));
                customer.awaitName("Event.SendMessage");
            }
            customer.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 21, "limit", 2));
            JsonNode newest = customer.awaitName("Event.GetMessageList").at("/result/Messages");
            assertThat(contents(newest)).containsExactly("m4", "m5");

            long oldestShown = newest.get(0).path("id").asLong();
            customer.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 21,
                    "limit", 2, "before_id", oldestShown));
            assertThat(contents(customer.awaitName("Event.GetMessageList").at("/result/Messages"))).containsExactly("m2", "m3");

            customer.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 21));
            assertThat(contents(customer.awaitName("Event.GetMessageList").at("/result/Messages")))
                    .containsExactly("m1", "m2", "m3", "m4", "m5");
        }
    }

    @Test
    void readMessageMovesUnreadCountsAndPushesTheStatus() {
        long app = APPLICATIONS.incrementAndGet();
        String channel = Long.toString(app);
        try (WsClient customer = node.connectEvents("31"); WsClient agent = staff("32")) {
            openConversation(customer, "31", agent, "32", app);

            List<Long> ids = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                agent.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 32, "content", "answer " + i));
                ids.add(agent.awaitName("Event.SendMessage").at("/result/message/id").asLong());
            }
            customer.event("Event.GetUnreadInfo", Map.of("user_id", 31));
            JsonNode unread = customer.awaitName("Event.GetUnreadInfo");
            assertThat(unread.at("/result/total").asLong()).isEqualTo(3);
            assertThat(unread.at("/result/conversations/0/session_channel").asText()).isEqualTo(channel);

            customer.event("Event.ReadMessage", Map.of("session_channel", channel, "executor_id", 31, "message_id", ids.get(1)));
            JsonNode read = customer.awaitName("Event.ReadMessage");
            assertThat(read.path("ok").asBoolean()).isTrue();
            assertThat(read.path("result").isNull()).isTrue();

            JsonNode status = agent.awaitName("Event.MessageStatus");
            assertThat(status.at("/result/message_id").asLong()).isEqualTo(ids.get(1));
            assertThat(status.at("/result/status").asInt()).isEqualTo(1);

            customer.event("Event.GetUnreadInfo", Map.of("user_id", 31));
            assertThat(customer.awaitName("Event.GetUnreadInfo").at("/result/total").asLong()).isEqualTo(1);

            // Read cursors never move back.
            customer.event("Event.ReadMessage", Map.of("session_channel", channel, "executor_id", 31, "message_id", ids.get(0)));
            customer.awaitName("Event.ReadMessage");
            customer.event("Event.GetUnreadInfo", Map.of("user_id", 31));
            assertThat(customer.awaitName("Event.GetUnreadInfo").at("/result/total").asLong()).isEqualTo(1);

            // The sender sees which of their messages were read.
            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 32));
            JsonNode page = agent.awaitName("Event.GetMessageList").at("/result/Messages");
            assertThat(page.findValues("status")).extracting(JsonNode::asInt).containsExactly(1, 1, 0);
        }
    }

    @Test
    void aSendersOtherConnectionsGetTheEcho() {
        long app = APPLICATIONS.incrementAndGet();
        String channel = Long.toString(app);
        try (WsClient phone = node.connectEvents("41"); WsClient laptop = node.connectEvents("41")) {
            phone.event("Event.AddConversation", Map.of("user_id", 41, "application_id", app));
            phone.awaitName("Event.AddConversation");
            phone.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 41, "content", "from my phone"));
            phone.awaitName("Event.SendMessage");

            assertThat(laptop.awaitName("Event.ReceiveMessage").at("/result/message/content").asText())
                    .isEqualTo("from my phone");
            // The sending connection got its reply, not a second copy.
            assertThat(phone.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                    Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void editAndSoftDeleteReachTheOtherMembersAndHistory() {
        long app = APPLICATIONS.incrementAndGet();
        String channel = Long.toString(app);
        try (WsClient customer = node.connectEvents("61"); WsClient agent = staff("62")) {
            openConversation(customer, "61", agent, "62", app);

            customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", 61, "content", "tpyo"));
            long id = customer.awaitName("Event.SendMessage").at("/result/message/id").asLong();
            agent.awaitName("Event.ReceiveMessage");

            customer.event("Event.EditMessage", Map.of("session_channel", channel, "sender_id", 61, "message_id", id, "content", "typo"));
            assertThat(customer.awaitName("Event.EditMessage").at("/result/message/edited").asBoolean()).isTrue();
            JsonNode edited = agent.awaitName("Event.MessageChanged");
            assertThat(edited.at("/result/message/content").asText()).isEqualTo("typo");

            // Only the sender may change a message.
            agent.event("Event.DeleteMessage", Map.of("session_channel", channel, "sender_id", 62, "message_id", id));
            assertThat(agent.awaitName("Event.DeleteMessage").at("/error/code").asInt()).isEqualTo(403);

            customer.event("Event.DeleteMessage", Map.of("session_channel", channel, "sender_id", 61, "message_id", id));
            assertThat(customer.awaitName("Event.DeleteMessage").at("/result/message/deleted").asBoolean()).isTrue();
            assertThat(agent.awaitName("Event.MessageChanged").at("/result/message/deleted").asBoolean()).isTrue();

            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", 62));
            JsonNode kept = agent.awaitName("Event.GetMessageList").at("/result/Messages/0");
            assertThat(kept.path("id").asLong()).isEqualTo(id);
            assertThat(kept.path("deleted").asBoolean()).isTrue();
            assertThat(kept.path("content").asText()).isEmpty();
        }
    }

    @Test
    void clientCorrelationIdIsEchoed() {
        try (WsClient customer = node.connectEvents("51")) {
            customer.send("{\"id\":\"req-7\",\"name\":\"Event.GetConversationList\",\"args\":{\"user_id\":51}}");
            JsonNode reply = customer.awaitName("Event.GetConversationList");
            assertThat(reply.path("id").asText()).isEqualTo("req-7");
            assertThat(reply.at("/result/conversations")).isEmpty();
        }
    }

    /** The customer opens the application's conversation and the staff member joins it. */
    private static void openConversation(WsClient customer, String customerId, WsClient agent, String agentId, long app) {
        customer.event("Event.AddConversation", Map.of("user_id", customerId, "application_id", app));
        assertThat(customer.awaitName("Event.AddConversation").path("ok").asBoolean()).isTrue();
        agent.event("Event.GetMessageList", Map.of("session_channel", Long.toString(app), "executor_id", agentId));
        assertThat(agent.awaitName("Event.GetMessageList").path("ok").asBoolean()).isTrue();
    }

    private static List<String> contents(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.path("content").asText()));
        return out;
    }
}
