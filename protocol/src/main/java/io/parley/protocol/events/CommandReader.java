package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.json.Fields;
import io.parley.protocol.model.ContentType;

/** Maps a client frame's name and {@code args} to the canonical {@link Command}. */
final class CommandReader {

    /** How this dialect names the types of a user id in messages (chat ids: "a string or an integer"). */
    private static final String USER_ID_TYPE = "an integer or a string";

    private CommandReader() {
    }

    /** Whether {@code name} is a request a client may send. */
    static boolean isClientName(String name) {
        return EventNames.CLIENT_NAMES.contains(name);
    }

    /**
     * @param name a name from {@link EventNames#CLIENT_NAMES}
     * @throws ChatException BAD_REQUEST when a field is missing or has the wrong type
     */
    static Command read(String name, Fields args) {
        return switch (name) {
            case EventNames.ADD_CONVERSATION -> new Command.OpenSupportChat(
                    userId(args, "user_id"),
                    args.positiveLong("application_id"));
            case EventNames.GET_CONVERSATION_LIST -> new Command.ListChats(userId(args, "user_id"));
            case EventNames.GET_MESSAGE_LIST -> historyRequest(args);
            case EventNames.SEND_MESSAGE -> sendMessage(args);
            case EventNames.READ_MESSAGE -> new Command.MarkRead(
                    args.id("session_channel"),
                    userId(args, "executor_id"),
                    args.positiveLongIgnoreCase("message_id"));
            case EventNames.GET_UNREAD_INFO -> new Command.GetUnread(userId(args, "user_id"));
            case EventNames.EDIT_MESSAGE -> new Command.EditMessage(
                    args.id("session_channel"),
                    userId(args, "sender_id"),
                    args.positiveLongIgnoreCase("message_id"),
                    args.text("content"));
            case EventNames.DELETE_MESSAGE -> new Command.DeleteMessage(
                    args.id("session_channel"),
                    userId(args, "sender_id"),
                    args.positiveLongIgnoreCase("message_id"));
            case EventNames.REFRESH_TOKEN -> new Command.RefreshToken(args.text("token"));
            default -> throw new ChatException(ErrorCode.BAD_REQUEST, "unknown name: " + name);
        };
    }

    /**
     * {@code content} with {@code content_type} 2 is the URL of an image uploaded to the chat;
     * {@code attachment_id} attaches any uploaded file, the content then being its optional caption.
     */
    private static Command.SendMessage sendMessage(Fields args) {
        String attachmentId = args.optionalAttachmentId("attachment_id");
        return new Command.SendMessage(
                args.id("session_channel"),
                userId(args, "sender_id"),
                args.caption("content", attachmentId != null),
                contentType(args.raw("content_type")),
                args.optionalPositiveLong("reply_to"),
                args.optionalClientMessageId(),
                attachmentId);
    }

    /** {@code before_id} pages back; {@code after_id} resumes after the last message a client saw. */
    private static Command.GetHistory historyRequest(Fields args) {
        Long beforeId = args.optionalPositiveLong("before_id");
        Long afterId = args.optionalPositiveLong("after_id");
        if (beforeId != null && afterId != null) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "send before_id or after_id, not both");
        }
        return new Command.GetHistory(
                args.id("session_channel"),
                userId(args, "executor_id"),
                beforeId,
                args.optionalInt("limit", 1, Command.GetHistory.MAX_LIMIT, Command.GetHistory.DEFAULT_LIMIT),
                afterId);
    }

    /**
     * A user id ({@code user_id}, {@code sender_id}, {@code executor_id}): an integer or a
     * non-blank string, returned as a string ({@code 1} and {@code "1"} are the same id).
     */
    private static String userId(Fields args, String field) {
        return args.id(field, USER_ID_TYPE);
    }

    /**
     * Seed 002 {@code content_type}: 2 (or {@code "2"}) is an image; anything else, including a
     * missing or malformed value, is text, as the seed specifies.
     */
    private static ContentType contentType(JsonNode node) {
        if (node == null) {
            return ContentType.TEXT;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return ContentType.fromCode(node.intValue());
        }
        if (node.isTextual() && node.textValue().strip().equals("2")) {
            return ContentType.IMAGE;
        }
        return ContentType.TEXT;
    }
}
