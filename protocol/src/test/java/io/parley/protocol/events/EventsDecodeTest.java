package io.parley.protocol.events;

import io.parley.protocol.Request;
import io.parley.protocol.command.Command;
import io.parley.protocol.model.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static io.parley.protocol.events.Frames.CODEC;
import static io.parley.protocol.events.Frames.valid;
import static org.assertj.core.api.Assertions.assertThat;

/** Valid frames and the leniencies the dialect promises. */
class EventsDecodeTest {

    private static Command command(String name, String args) {
        Request.Valid request = valid("{\"name\":\"" + name + "\",\"args\":" + args + "}");
        assertThat(request.name()).isEqualTo(name);
        return request.command();
    }

    @Test
    void dialectName() {
        assertThat(CODEC.dialect()).isEqualTo("events");
    }

    @Test
    void identityFieldsAcceptNumbersAndStrings() {
        assertThat(command("Event.GetConversationList", "{\"user_id\":1}"))
                .isEqualTo(command("Event.GetConversationList", "{\"user_id\":\"1\"}"))
                .isEqualTo(new Command.ListChats("1"));
        assertThat(command("Event.GetConversationList", "{\"user_id\":\"4b5c1f2e-0c1d-4e6b-9d3a-2f0e8a7b6c5d\"}"))
                .isEqualTo(new Command.ListChats("4b5c1f2e-0c1d-4e6b-9d3a-2f0e8a7b6c5d"));
        assertThat(command("Event.GetUnreadInfo", "{\"user_id\":12345678901234567890123}"))
                .isEqualTo(new Command.GetUnread("12345678901234567890123"));
    }

    @Test
    void addConversationAcceptsApplicationIdAsDecimalString() {
        assertThat(command("Event.AddConversation", "{\"user_id\":\"7\",\"application_id\":\"100\"}"))
                .isEqualTo(new Command.OpenSupportChat("7", 100));
    }

    @Test
    void sessionChannelAcceptsNumbers() {
        assertThat(command("Event.GetMessageList", "{\"session_channel\":100,\"executor_id\":1}"))
                .isEqualTo(new Command.GetHistory("100", "1", null, Command.GetHistory.DEFAULT_LIMIT));
    }

    @Test
    void getMessageListPaging() {
        assertThat(command("Event.GetMessageList",
                "{\"session_channel\":\"100\",\"executor_id\":1,\"before_id\":77,\"limit\":200}"))
                .isEqualTo(new Command.GetHistory("100", "1", 77L, 200));
        assertThat(command("Event.GetMessageList",
                "{\"session_channel\":\"100\",\"executor_id\":1,\"before_id\":\"77\",\"limit\":1}"))
                .isEqualTo(new Command.GetHistory("100", "1", 77L, 1));
        assertThat(command("Event.GetMessageList",
                "{\"session_channel\":\"100\",\"executor_id\":1,\"before_id\":null,\"limit\":null}"))
                .as("null means absent")
                .isEqualTo(new Command.GetHistory("100", "1", null, Command.GetHistory.DEFAULT_LIMIT));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                           | TEXT",
            ",\"content_type\":1        | TEXT",
            ",\"content_type\":2        | IMAGE",
            ",\"content_type\":\"2\"    | IMAGE",
            ",\"content_type\":3        | TEXT",
            ",\"content_type\":0        | TEXT",
            ",\"content_type\":-2       | TEXT",
            ",\"content_type\":2.5      | TEXT",
            ",\"content_type\":\"image\" | TEXT",
            ",\"content_type\":null     | TEXT",
            ",\"content_type\":[2]      | TEXT",
            ",\"content_type\":99999999999999999999 | TEXT",
    })
    void contentTypeMissingOrUnknownMeansText(String extra, ContentType expected) {
        String args = "{\"session_channel\":\"10\",\"sender_id\":1,\"content\":\"Hey\"" + (extra == null ? "" : extra) + "}";
        assertThat(command("Event.SendMessage", args))
                .isEqualTo(new Command.SendMessage("10", "1", "Hey", expected, null));
    }

    @Test
    void sendMessageKeepsContentAsSentAndReadsReplyTo() {
        assertThat(command("Event.SendMessage",
                "{\"session_channel\":\"10\",\"sender_id\":1,\"content\":\"  Привет 👋\\n\",\"reply_to\":9}"))
                .isEqualTo(new Command.SendMessage("10", "1", "  Привет 👋\n", ContentType.TEXT, 9L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"message_id", "messagE_id", "MESSAGE_ID", "Message_Id"})
    void readMessageToleratesTheSeedsSpellingOfMessageId(String key) {
        assertThat(command("Event.ReadMessage", "{\"session_channel\":\"10\",\"executor_id\":2,\"" + key + "\":11}"))
                .isEqualTo(new Command.MarkRead("10", "2", 11));
    }

    @Test
    void exactMessageIdKeyWinsOverOtherSpellings() {
        assertThat(command("Event.ReadMessage",
                "{\"session_channel\":\"10\",\"executor_id\":2,\"messagE_id\":5,\"message_id\":11}"))
                .isEqualTo(new Command.MarkRead("10", "2", 11));
    }

    @Test
    void extensionsEditAndDelete() {
        assertThat(command("Event.EditMessage",
                "{\"session_channel\":\"10\",\"sender_id\":1,\"message_id\":11,\"content\":\"fixed\"}"))
                .isEqualTo(new Command.EditMessage("10", "1", 11, "fixed"));
        assertThat(command("Event.DeleteMessage", "{\"session_channel\":\"10\",\"sender_id\":\"1\",\"message_id\":\"11\"}"))
                .isEqualTo(new Command.DeleteMessage("10", "1", 11));
    }

    @Test
    void unknownArgsFieldsAreIgnored() {
        assertThat(command("Event.GetUnreadInfo", "{\"user_id\":1,\"extra\":{\"deep\":[1,2,3]}}"))
                .isEqualTo(new Command.GetUnread("1"));
    }

    @Test
    void clientIdIsKeptAsStringOrNumber() {
        assertThat(valid("{\"id\":\"req-1\",\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1}}").correlationId())
                .isEqualTo("req-1");
        assertThat(valid("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1},\"id\":42}").correlationId())
                .isEqualTo(42);
        assertThat(valid("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1},\"id\":1.5}").correlationId())
                .isEqualTo(new BigDecimal("1.5"));
        assertThat(valid("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1},\"id\":null}").correlationId())
                .isNull();
    }

    @Test
    void everyClientNameDecodes() {
        String args = "{\"user_id\":1,\"application_id\":1,\"session_channel\":\"1\",\"executor_id\":1,"
                + "\"sender_id\":1,\"content\":\"x\",\"message_id\":1,\"token\":\"jwt\"}";
        for (String name : EventNames.CLIENT_NAMES) {
            assertThat(command(name, args)).as(name).isNotNull();
        }
        assertThat(EventNames.CLIENT_NAMES).hasSize(9).doesNotContainAnyElementsOf(EventNames.SERVER_NAMES);
    }

    @Test
    void decodesTheGivenSliceOnly() {
        byte[] buffer = ("garbage{\"name\":\"Event.GetConversationList\",\"args\":\"{\\\"user_id\\\":1}\"}garbage")
                .getBytes(StandardCharsets.UTF_8);
        Request request = CODEC.decode(buffer, 7, buffer.length - 14);
        assertThat(request).isEqualTo(new Request.Valid("Event.GetConversationList", null, new Command.ListChats("1")));
    }
}
