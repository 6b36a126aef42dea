package io.parley.protocol.events;

import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static io.parley.protocol.events.Frames.CODEC;
import static io.parley.protocol.events.Frames.decode;
import static io.parley.protocol.events.Frames.invalid;
import static io.parley.protocol.events.Frames.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Every class of bad input becomes {@link Request.Invalid}, never an exception. */
class EventsBadInputTest {

    private static final String SEND = "{\"name\":\"Event.SendMessage\",\"id\":\"c1\",\"args\":";

    private static void assertBadRequest(Request.Invalid request, String messagePart) {
        assertThat(request.error().code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(request.error().getMessage()).contains(messagePart);
        assertThat(request.error().getMessage()).doesNotContain("com.fasterxml", "Exception", "\tat ", "`");
    }

    // ---- the frame ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "}", "nul", "{'name':'Event.SendMessage'}", "{\"name\":\"Event.SendMessage\"",
            "{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1}} {}", "{\"a\":1,}", "\u0000"})
    void malformedJson(String text) {
        Request.Invalid request = invalid(text);
        assertBadRequest(request, "malformed JSON");
        assertThat(request.name()).isNull();
        assertThat(request.error().getMessage().length()).isLessThan(250);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"name\":\"Event.GetUnreadInfo\"}]", "\"Event.GetUnreadInfo\"", "42", "null", "true"})
    void nonObjectFrame(String text) {
        assertBadRequest(invalid(text), "malformed JSON: a frame must be a JSON object");
    }

    @Test
    void duplicateKeysAreRejected() {
        Request.Invalid request = invalid("{\"name\":\"Event.GetUnreadInfo\",\"name\":\"Event.SendMessage\",\"args\":{}}");
        assertBadRequest(request, "Duplicate field 'name'");
        Request.Invalid inArgs = invalid(SEND + "{\"session_channel\":\"1\",\"sender_id\":1,\"sender_id\":2,\"content\":\"x\"}}");
        assertBadRequest(inArgs, "Duplicate field 'sender_id'");
    }

    @Test
    void invalidUtf8() {
        byte[] bytes = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        Request request = CODEC.decode(bytes, 0, bytes.length);
        assertThat(request).isInstanceOf(Request.Invalid.class);
        assertBadRequest((Request.Invalid) request, "malformed JSON");
    }

    @Test
    void missingName() {
        Request.Invalid request = invalid("{\"id\":5,\"args\":{\"user_id\":1}}");
        assertBadRequest(request, "name: required");
        assertThat(request.name()).isNull();
        assertThat(request.correlationId()).isEqualTo(5);
        assertThat(request.error().getMessage()).contains(EventNames.CLIENT_NAMES);
    }

    @Test
    void nameNotAString() {
        assertBadRequest(invalid("{\"name\":7,\"args\":{}}"), "name: expected a string, got an integer");
        assertBadRequest(invalid("{\"name\":{\"x\":1},\"args\":{}}"), "name: expected a string, got an object");
    }

    @Test
    void unknownNameListsEverySupportedName() {
        Request.Invalid request = invalid("{\"name\":\"Event.Nope\",\"id\":\"abc\",\"args\":{}}");
        assertBadRequest(request, "unknown name \"Event.Nope\"");
        assertThat(request.name()).as("unknown names are not echoed").isNull();
        assertThat(request.correlationId()).isEqualTo("abc");
        for (String name : EventNames.CLIENT_NAMES) {
            assertThat(request.error().getMessage()).contains(name);
        }
    }

    @Test
    void unknownNameIsAbbreviatedInTheMessage() {
        String longName = "Event." + "x".repeat(10_000);
        Request.Invalid request = invalid("{\"name\":\"" + longName + "\",\"args\":{}}");
        assertThat(request.error().getMessage()).hasSizeLessThan(500).contains("...");
    }

    @Test
    void namesAreCaseSensitive() {
        assertBadRequest(invalid("{\"name\":\"event.sendmessage\",\"args\":{}}"), "unknown name");
    }

    @Test
    void pushNamesAreServerOnly() {
        for (String push : EventNames.SERVER_NAMES) {
            Request.Invalid request = invalid("{\"name\":\"" + push + "\",\"args\":{}}");
            assertBadRequest(request, push + " is sent by the server only");
            assertThat(request.error().getMessage()).contains("Event.SendMessage");
        }
    }

    @Test
    void badClientId() {
        Request.Invalid request = invalid("{\"name\":\"Event.GetUnreadInfo\",\"id\":[1],\"args\":{\"user_id\":1}}");
        assertBadRequest(request, "id: expected a string or a number, got an array");
        assertThat(request.correlationId()).isNull();
    }

    // ---- args -----------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                     | args: required",
            ",\"args\":null        | args: required",
            ",\"args\":[]          | args: expected an object or a string holding a JSON object, got an array",
            ",\"args\":5           | args: expected an object or a string holding a JSON object, got an integer",
            ",\"args\":true        | got a boolean",
            ",\"args\":\"\"        | got a string holding nothing",
            ",\"args\":\"[1]\"     | got a string holding an array",
            ",\"args\":\"7\"       | got a string holding an integer",
            ",\"args\":\"{\\\"user_id\\\":\" | args: malformed JSON in string",
    })
    void argsMissingOrNotAnObject(String args, String message) {
        Request.Invalid request = invalid("{\"name\":\"Event.GetUnreadInfo\",\"id\":9" + (args == null ? "" : args) + "}");
        assertBadRequest(request, message);
        assertThat(request.name()).as("a known name is echoed").isEqualTo("Event.GetUnreadInfo");
        assertThat(request.correlationId()).isEqualTo(9);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // missing required fields
            "Event.AddConversation | {\"application_id\":100}                   | args.user_id: required, expected an integer or a string",
            "Event.AddConversation | {\"user_id\":1}                            | args.application_id: required, expected an integer",
            "Event.AddConversation | {\"user_id\":null,\"application_id\":1}   | args.user_id: required",
            "Event.GetMessageList  | {\"executor_id\":1}                        | args.session_channel: required",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1} | args.content: required, expected a string",
            "Event.ReadMessage     | {\"session_channel\":\"1\",\"executor_id\":1} | args.message_id: required, expected an integer",
            "Event.EditMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"message_id\":1} | args.content: required",
            "Event.DeleteMessage   | {\"session_channel\":\"1\",\"sender_id\":1} | args.message_id: required",
            // wrong types
            "Event.AddConversation | {\"user_id\":1,\"application_id\":\"abc\"} | args.application_id: expected an integer, got the string \"abc\"",
            "Event.AddConversation | {\"user_id\":1,\"application_id\":1.5}     | args.application_id: expected an integer, got a fraction",
            "Event.AddConversation | {\"user_id\":1,\"application_id\":true}    | args.application_id: expected an integer, got a boolean",
            "Event.AddConversation | {\"user_id\":true,\"application_id\":1}    | args.user_id: expected an integer or a string, got a boolean",
            "Event.AddConversation | {\"user_id\":1.5,\"application_id\":1}     | args.user_id: expected an integer or a string, got a fraction",
            "Event.AddConversation | {\"user_id\":{},\"application_id\":1}      | args.user_id: expected an integer or a string, got an object",
            "Event.AddConversation | {\"user_id\":\" \",\"application_id\":1}   | args.user_id: must not be empty",
            "Event.AddConversation | {\"user_id\":1,\"application_id\":0}       | args.application_id: must be a positive integer",
            "Event.AddConversation | {\"user_id\":1,\"application_id\":99999999999999999999} | args.application_id: out of range for a 64-bit integer",
            "Event.GetMessageList  | {\"session_channel\":[\"1\"],\"executor_id\":1} | args.session_channel: expected a string or an integer, got an array",
            "Event.GetMessageList  | {\"session_channel\":\"\",\"executor_id\":1}  | args.session_channel: must not be empty",
            "Event.GetMessageList  | {\"session_channel\":\"1\",\"executor_id\":1,\"before_id\":\"x\"} | args.before_id: expected an integer",
            "Event.GetMessageList  | {\"session_channel\":\"1\",\"executor_id\":1,\"before_id\":-3} | args.before_id: must be a positive integer",
            "Event.GetMessageList  | {\"session_channel\":\"1\",\"executor_id\":1,\"limit\":0}   | args.limit: must be between 1 and 200, got 0",
            "Event.GetMessageList  | {\"session_channel\":\"1\",\"executor_id\":1,\"limit\":201} | args.limit: must be between 1 and 200, got 201",
            "Event.GetMessageList  | {\"session_channel\":\"1\",\"executor_id\":1,\"limit\":\"ten\"} | args.limit: expected an integer",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"content\":5}    | args.content: expected a string, got an integer",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"content\":\"\"}  | args.content: must not be empty",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"content\":\" \\n\\t\"} | args.content: must not be empty",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"content\":\"x\",\"reply_to\":\"y\"} | args.reply_to: expected an integer",
            "Event.ReadMessage     | {\"session_channel\":\"1\",\"executor_id\":1,\"messagE_id\":\"eleven\"} | args.message_id: expected an integer",
            "Event.SendMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"content\":\"a\\uD800b\"} | args.content: invalid Unicode",
            "Event.EditMessage     | {\"session_channel\":\"1\",\"sender_id\":1,\"message_id\":1,\"content\":\"\\uDC00\"} | args.content: invalid Unicode",
    })
    void missingOrMistypedField(String name, String args, String message) {
        Request.Invalid request = invalid("{\"name\":\"" + name + "\",\"id\":\"c7\",\"args\":" + args + "}");
        assertBadRequest(request, message);
        assertThat(request.name()).isEqualTo(name);
        assertThat(request.correlationId()).isEqualTo("c7");

        // The same failure when args arrive as a string, as in the seed.
        Request.Invalid asString = invalid("{\"name\":\"" + name + "\",\"id\":\"c7\",\"args\":"
                + Frames.JSON.getNodeFactory().textNode(args) + "}");
        assertThat(asString.error().getMessage()).isEqualTo(request.error().getMessage());
    }

    // ---- absurd input ---------------------------------------------------------------------

    @Test
    void deepNestingDoesNotThrow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThatCode(() -> decode(deep)).doesNotThrowAnyException();
        assertBadRequest(invalid(deep), "nesting depth");

        String deepInArgs = SEND + "{\"session_channel\":\"1\",\"sender_id\":1,\"content\":\"x\",\"extra\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}}";
        assertBadRequest(invalid(deepInArgs), "nesting depth");

        String deepInStringArgs = "{\"name\":\"Event.GetUnreadInfo\",\"args\":\"{\\\"x\\\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}\"}";
        Request.Invalid request = invalid(deepInStringArgs);
        assertBadRequest(request, "nesting depth");
        assertThat(request.name()).isEqualTo("Event.GetUnreadInfo");

        String unclosed = "{\"a\":".repeat(10_000);
        assertBadRequest(invalid(unclosed), "malformed JSON");
    }

    @Test
    void moderateNestingInIgnoredFieldsIsFine() {
        String args = "{\"user_id\":1,\"extra\":" + "[".repeat(40) + "]".repeat(40) + "}";
        assertThat(decode("{\"name\":\"Event.GetUnreadInfo\",\"args\":" + args + "}")).isInstanceOf(Request.Valid.class);
    }

    @Test
    void hugeNumbersDoNotThrow() {
        String huge = "9".repeat(100_000);
        for (String text : new String[]{
                "{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":" + huge + "}}",
                "{\"name\":\"Event.GetUnreadInfo\",\"id\":" + huge + ",\"args\":{\"user_id\":1}}",
                "{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1e999999999}}",
                "{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":1,\"x\":1e999999999}}",
                "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":1,\"application_id\":1e999999999}}",
                "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"1\",\"executor_id\":1,\"limit\":-1e999999999}}",
                "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"1\",\"executor_id\":1,\"limit\":" + "9".repeat(99) + "}}",
                "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"1\",\"sender_id\":1,\"content\":\"x\",\"content_type\":1e999999999}}",
                "{\"name\":\"Event.GetUnreadInfo\",\"id\":1e999999999,\"args\":{\"user_id\":1}}",
        }) {
            assertThatCode(() -> {
                Request request = decode(text);
                byte[] error = request instanceof Request.Invalid i
                        ? CODEC.encodeError(i, i.error())
                        : CODEC.encodeError(request, new ChatException(ErrorCode.NOT_FOUND, "x"));
                tree(error);
            }).as(text.length() > 200 ? text.substring(0, 200) : text).doesNotThrowAnyException();
        }
        assertBadRequest(invalid("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":" + huge + "}}"),
                "Number value length");
    }

    @Test
    void hugeIdEchoedExactly() {
        Request.Invalid request = invalid("{\"name\":\"Event.Nope\",\"id\":1e999999999}");
        String error = new String(CODEC.encodeError(request, request.error()), StandardCharsets.UTF_8);
        assertThat(error).contains("\"id\":1E+999999999");
        assertThat(tree(error).get("id").isNumber()).isTrue();
    }

    @Test
    void decodeNeverThrowsOnBrokenBytes() {
        byte[][] inputs = {
                {}, {(byte) 0xc3}, {(byte) 0xfe, (byte) 0xff, 0, '{'}, "{\"name\":\"Event.\uD800\"}".getBytes(StandardCharsets.UTF_8),
                {'{', '"', 'n', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'},
        };
        for (byte[] input : inputs) {
            assertThatCode(() -> CODEC.decode(input, 0, input.length)).doesNotThrowAnyException();
        }
    }
}
