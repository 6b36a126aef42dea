package io.parley.protocol.events;

import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;

/** Maps a client frame's name and {@code args} to the canonical {@link Command}. */
final class CommandReader {

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
    static Command read(String name, ArgsReader args) {
        return switch (name) {
            case EventNames.ADD_CONVERSATION -> new Command.OpenSupportChat(
                    args.userId("user_id"),
                    args.requiredId("application_id"));
            case EventNames.GET_CONVERSATION_LIST -> new Command.ListChats(args.userId("user_id"));
            case EventNames.GET_MESSAGE_LIST -> historyRequest(args);
            case EventNames.SEND_MESSAGE -> new Command.SendMessage(
                    args.chatId("session_channel"),
                    args.userId("sender_id"),
                    args.requiredText("content"),
                    args.contentType("content_type"),
                    args.optionalId("reply_to"));
            case EventNames.READ_MESSAGE -> new Command.MarkRead(
                    args.chatId("session_channel"),
                    args.userId("executor_id"),
                    args.requiredIdIgnoreCase("message_id"));
            case EventNames.GET_UNREAD_INFO -> new Command.GetUnread(args.userId("user_id"));
            case EventNames.EDIT_MESSAGE -> new Command.EditMessage(
                    args.chatId("session_channel"),
                    args.userId("sender_id"),
                    args.requiredIdIgnoreCase("message_id"),
                    args.requiredText("content"));
            case EventNames.DELETE_MESSAGE -> new Command.DeleteMessage(
                    args.chatId("session_channel"),
                    args.userId("sender_id"),
                    args.requiredIdIgnoreCase("message_id"));
            default -> throw new ChatException(ErrorCode.BAD_REQUEST, "unknown name: " + name);
        };
    }

    /** {@code before_id} pages back; {@code after_id} resumes after the last message a client saw. */
    private static Command.GetHistory historyRequest(ArgsReader args) {
        Long beforeId = args.optionalId("before_id");
        Long afterId = args.optionalId("after_id");
        if (beforeId != null && afterId != null) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "send before_id or after_id, not both");
        }
        return new Command.GetHistory(
                args.chatId("session_channel"),
                args.userId("executor_id"),
                beforeId,
                args.optionalInt("limit", 1, Command.GetHistory.MAX_LIMIT, Command.GetHistory.DEFAULT_LIMIT),
                afterId);
    }
}
