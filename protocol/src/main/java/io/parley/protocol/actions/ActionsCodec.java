package io.parley.protocol.actions;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.AttachmentJson;
import io.parley.protocol.json.Fields;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Dialect {@code actions} (seed 003): {@code {"type", "request_id"?, ...fields}}. Fields sit at
 * the top level of the frame (or, equally, inside a {@code "data"} object).
 *
 * <h2>Client frames</h2>
 * <ul>
 *   <li>{@code list_chats {}} → {@code data: {"chats": [chat...]}}, most recently active first</li>
 *   <li>{@code create_chat {members: [user ids], title?}} → {@code data: {"chat": chat}}: a group
 *       chat of you and the members, with a fresh UUID</li>
 *   <li>{@code get_messages {chat_id, before? | after?, limit?}} → {@code data: {"messages": [...],
 *       "has_more"}} ({@code after} resumes after that message; {@code has_more}: another page
 *       follows in that direction),
 *       oldest first; the newest page unless {@code before} (a message id) pages back; limit
 *       1..200, default 50</li>
 *   <li>{@code send_message {chat_id, text, reply_to?}} → {@code data: {"message": message}}</li>
 *   <li>{@code refresh {token}} (ours) → {@code data: {"expires_at"}}: the socket's access token
 *       is replaced by a fresh one of the same user, so the socket outlives the old one's
 *       expiry; 401 (invalid or expired token) or 403 (another user's, or a service token)
 *       leave the old expiry in place</li>
 * </ul>
 * {@code chat_id} is a UUID. Replies: {@code {"type": <request type>, "request_id"?, "ok": true,
 * "data": {...}}}; errors: {@code {"type": <request type> | "error", "request_id"?, "ok": false,
 * "error": {"code", "message", "supported_types"?}}}, the list of supported types being sent
 * whenever the type is missing or unknown.
 *
 * <h2>Pushes</h2>
 * {@code new_message {"message"}}, {@code message_updated {"message"}} (edited or deleted
 * elsewhere), {@code message_read {"chat_id", "message_id", "user_id"}}, {@code user_typing
 * {"chat_id", "user_id"}}, {@code member_joined {"chat_id", "user_id"}} and {@code member_left
 * {"chat_id", "user_id"}} (to every member, the one who joined or left included, so a client
 * adds or drops the chat), all as {@code {"type", "data"}}.
 *
 * <p>Objects. Chat: {@code {"id", "kind", "title", "created_at", "updated_at"}}. Message:
 * {@code {"id", "chat_id", "seq", "sender_id", "text", "content_type", "reply_to",
 * "created_at", "updated_at", "edited", "deleted"}}. Ids of users are strings; message ids are
 * integers below 2^53. Only chats with UUID ids are listed (direct {@code a_b} and support
 * chats belong to the dialects that name them that way).
 */
public final class ActionsCodec implements DialectCodec {
    public static final String DIALECT = "actions";

    public static final String LIST_CHATS = "list_chats";
    public static final String CREATE_CHAT = "create_chat";
    public static final String GET_MESSAGES = "get_messages";
    public static final String SEND_MESSAGE = "send_message";
    /** Ours: a fresh access token for the socket. */
    public static final String REFRESH = "refresh";
    public static final List<String> CLIENT_TYPES = List.of(LIST_CHATS, CREATE_CHAT, GET_MESSAGES, SEND_MESSAGE, REFRESH);

    public static final String NEW_MESSAGE = "new_message";
    public static final String MESSAGE_UPDATED = "message_updated";
    public static final String MESSAGE_READ = "message_read";
    public static final String USER_TYPING = "user_typing";
    /** Push (ours): someone became a member of the chat. */
    public static final String MEMBER_JOINED = "member_joined";
    /** Push (ours): someone stopped being a member of the chat (left, or removed). */
    public static final String MEMBER_LEFT = "member_left";
    public static final String ERROR = "error";

    /** Most members named in one create_chat. */
    public static final int MAX_MEMBERS = 100;
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** An unknown or missing type: the error carries the supported list. */
    private static final class UnknownType extends ChatException {
        UnknownType(String message) {
            super(ErrorCode.BAD_REQUEST, message + "; supported types: " + String.join(", ", CLIENT_TYPES));
        }
    }

    @Override
    public String dialect() {
        return DIALECT;
    }

    @Override
    public Request decode(byte[] utf8, int offset, int length) {
        String type = null;
        Object requestId = null;
        try {
            JsonNode frame = Json.readObject(utf8, offset, length);
            requestId = requestId(frame.get("request_id"));
            JsonNode typeNode = frame.get("type");
            if (typeNode == null || !typeNode.isTextual()) {
                throw new UnknownType("type: required, a string");
            }
            if (!CLIENT_TYPES.contains(typeNode.textValue())) {
                throw new UnknownType("unknown type \"" + Json.abbreviate(typeNode.textValue(), 64) + "\"");
            }
            type = typeNode.textValue();
            Fields root = new Fields(frame, "");
            Fields fields = root.has("data") ? root.object("data") : root;
            return new Request.Valid(type, requestId, command(type, fields));
        } catch (ChatException e) {
            return new Request.Invalid(type, requestId, e);
        } catch (RuntimeException e) {
            return new Request.Invalid(type, requestId, new ChatException(ErrorCode.BAD_REQUEST, "malformed request"));
        }
    }

    private static Object requestId(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return Json.abbreviate(node.textValue(), 128);
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        throw new ChatException(ErrorCode.BAD_REQUEST, "request_id: expected a string or a number, got " + Json.describe(node));
    }

    private static Command command(String type, Fields f) {
        return switch (type) {
            case LIST_CHATS -> new Command.ListChats(null);
            case CREATE_CHAT -> new Command.CreateChat(ChatKind.GROUP, f.ids("members", MAX_MEMBERS),
                    f.optionalString("title"), null);
            case GET_MESSAGES -> historyRequest(f);
            case SEND_MESSAGE -> {
                String attachmentId = f.optionalAttachmentId("attachment_id");
                yield new Command.SendMessage(chatId(f), null, f.caption("text", attachmentId != null),
                        f.contentType("content_type"), f.optionalPositiveLong("reply_to"),
                        f.optionalClientMessageId(), attachmentId);
            }
            case REFRESH -> new Command.RefreshToken(f.text("token"));
            default -> throw new UnknownType("unknown type \"" + type + "\"");
        };
    }

    /** {@code before} pages back; {@code after} resumes after the last message the client saw. */
    private static Command.GetHistory historyRequest(Fields f) {
        Long before = f.optionalPositiveLong("before");
        Long after = f.optionalPositiveLong("after");
        if (before != null && after != null) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "send before or after, not both");
        }
        return new Command.GetHistory(chatId(f), null, before,
                f.optionalInt("limit", 1, Command.GetHistory.MAX_LIMIT, Command.GetHistory.DEFAULT_LIMIT), after);
    }

    private static String chatId(Fields f) {
        String id = f.string("chat_id");
        if (!UUID.matcher(id).matches()) {
            throw new ChatException(ErrorCode.BAD_REQUEST,
                    "chat_id: expected a UUID such as \"3f2b8c1e-5d4a-4b7e-9c1f-0a2b3c4d5e6f\"; "
                            + "list_chats lists yours, create_chat makes one");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    /** True if the id is a UUID: the chats this dialect can address. */
    public static boolean isUuid(String id) {
        return UUID.matcher(id).matches();
    }

    @Override
    public byte[] encodeReply(Request.Valid request, Reply reply) {
        return Json.write(gen -> {
            header(gen, request.name(), request.correlationId(), true);
            gen.writeObjectFieldStart("data");
            if (reply instanceof Reply.ChatList list) {
                gen.writeArrayFieldStart("chats");
                for (Chat chat : list.chats()) {
                    if (isUuid(chat.id())) {
                        chat(gen, chat);
                    }
                }
                gen.writeEndArray();
            } else if (reply instanceof Reply.ChatReply c) {
                gen.writeFieldName("chat");
                chat(gen, c.chat());
            } else if (reply instanceof Reply.HistoryPage page) {
                gen.writeArrayFieldStart("messages");
                for (Message m : page.messages()) {
                    message(gen, m);
                }
                gen.writeEndArray();
                gen.writeBooleanField("has_more", page.more());
            } else if (reply instanceof Reply.MessageReply m) {
                gen.writeFieldName("message");
                message(gen, m.message());
            } else if (reply instanceof Reply.TokenRefreshed refreshed) {
                gen.writeStringField("expires_at", Json.timestamp(refreshed.expiresAt()));
            }
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    @Override
    public byte[] encodeError(Request request, ChatException error) {
        String type = request == null || request.name() == null ? ERROR : request.name();
        Object requestId = request == null ? null : request.correlationId();
        return Json.write(gen -> {
            header(gen, type, requestId, false);
            gen.writeObjectFieldStart("error");
            gen.writeNumberField("code", error.code().status());
            gen.writeStringField("message", Json.messageOf(error));
            if (error instanceof UnknownType) {
                gen.writeArrayFieldStart("supported_types");
                for (String t : CLIENT_TYPES) {
                    gen.writeString(t);
                }
                gen.writeEndArray();
            }
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    @Override
    public byte[] encodeEvent(ChatEvent event) {
        if (!(event.chatId() != null && isUuid(event.chatId()))) {
            return null;
        }
        if (event instanceof ChatEvent.MessagePosted posted) {
            return push(NEW_MESSAGE, gen -> {
                gen.writeFieldName("message");
                message(gen, posted.message());
            });
        }
        if (event instanceof ChatEvent.MessageChanged changed) {
            return push(MESSAGE_UPDATED, gen -> {
                gen.writeFieldName("message");
                message(gen, changed.message());
            });
        }
        if (event instanceof ChatEvent.MessageRead read) {
            return push(MESSAGE_READ, gen -> {
                gen.writeStringField("chat_id", read.chatId());
                gen.writeNumberField("message_id", read.messageId());
                gen.writeStringField("user_id", read.readerId());
            });
        }
        if (event instanceof ChatEvent.Typing typing) {
            return push(USER_TYPING, gen -> {
                gen.writeStringField("chat_id", typing.chatId());
                gen.writeStringField("user_id", typing.userId());
            });
        }
        if (event instanceof ChatEvent.MemberJoined joined) {
            return memberPush(MEMBER_JOINED, joined.chatId(), joined.userId(), null);
        }
        if (event instanceof ChatEvent.MemberLeft left) {
            return memberPush(MEMBER_LEFT, left.chatId(), left.userId(), left.removedBy());
        }
        return null;
    }

    /** @param removedBy who removed the member, written only when someone did */
    private static byte[] memberPush(String type, String chatId, String userId, String removedBy) {
        return push(type, gen -> {
            gen.writeStringField("chat_id", chatId);
            gen.writeStringField("user_id", userId);
            if (removedBy != null) {
                gen.writeStringField("removed_by", removedBy);
            }
        });
    }

    private static byte[] push(String type, Json.Body data) {
        return Json.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", type);
            gen.writeObjectFieldStart("data");
            data.writeTo(gen);
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    private static void header(JsonGenerator gen, String type, Object requestId, boolean ok) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("type", type);
        if (requestId instanceof String s) {
            gen.writeStringField("request_id", s);
        } else if (requestId instanceof BigDecimal n) {
            gen.writeFieldName("request_id");
            gen.writeNumber(n);
        }
        gen.writeBooleanField("ok", ok);
    }

    private static void chat(JsonGenerator gen, Chat chat) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("id", chat.id());
        gen.writeStringField("kind", chat.kind().wireName());
        if (chat.title() == null) {
            gen.writeNullField("title");
        } else {
            gen.writeStringField("title", chat.title());
        }
        gen.writeStringField("created_at", Json.timestamp(chat.createdAt()));
        gen.writeStringField("updated_at", Json.timestamp(chat.updatedAt()));
        gen.writeEndObject();
    }

    private static void message(JsonGenerator gen, Message m) throws IOException {
        gen.writeStartObject();
        gen.writeNumberField("id", m.id());
        gen.writeStringField("chat_id", m.chatId());
        gen.writeNumberField("seq", m.seq());
        gen.writeStringField("sender_id", m.senderId());
        gen.writeStringField("text", m.content());
        gen.writeNumberField("content_type", m.contentType().code());
        AttachmentJson.writeField(gen, m.attachment(), false);
        if (m.replyTo() == null) {
            gen.writeNullField("reply_to");
        } else {
            gen.writeNumberField("reply_to", m.replyTo());
        }
        gen.writeStringField("created_at", Json.timestamp(m.createdAt()));
        gen.writeStringField("updated_at", Json.timestamp(m.updatedAt()));
        gen.writeBooleanField("edited", m.edited());
        gen.writeBooleanField("deleted", m.deleted());
        gen.writeEndObject();
    }
}
