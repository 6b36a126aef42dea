package io.parley.protocol.typed;

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
import io.parley.protocol.model.DirectChatIds;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UserPresence;

import java.io.IOException;
import java.util.List;

import static io.parley.protocol.typed.TypedTypes.*;

/**
 * Dialect {@code typed} (seed 004, Django-Channels style): {@code {"type", "content": {...}}}.
 *
 * <h2>Client frames</h2>
 * <ul>
 *   <li>{@code new_message {chat_type, chat_id, message, reply_to?}}</li>
 *   <li>{@code delete_message {chat_type, chat_id, message_id}}</li>
 *   <li>{@code message_read {chat_type, chat_id, message_id}}</li>
 *   <li>{@code user_typing {chat_type, chat_id}} (alias {@code typing}, as the seed's examples)</li>
 *   <li>{@code set_online {}}, {@code set_offline {}}: show or hide this connection's user</li>
 *   <li>{@code edit_message {chat_type, chat_id, message_id, message}} (ours)</li>
 *   <li>{@code sync {chat_type, chat_id, after?, limit?}} (ours): the messages after message
 *       {@code after} (the newest page without it), oldest first, answered with
 *       {@code sync {chat_type, chat_id, messages: [...], has_more}}; with {@code has_more}
 *       true, sync again after the last one</li>
 *   <li>{@code refresh {token}} (ours): replaces the socket's access token with a fresh one of
 *       the same user, so the socket outlives the old one's expiry; answered
 *       {@code refresh {expires_at}}, or an error 401 (invalid or expired token) or 403 (another
 *       user's, or a service token), after which the old expiry stands</li>
 *   <li>{@code presence {user_ids?}} (ours): whether each user is online and, if not, when last
 *       seen: the users listed (1 to {@value Command.GetPresence#MAX_USERS}), or without
 *       {@code user_ids} your contacts (the users sharing a chat with you, at most
 *       {@value Command.GetPresence#MAX_CONTACTS}); answered {@code presence {users: [{user_id,
 *       online, last_seen}], has_more}} in the order asked. A user you share no chat with is
 *       answered like an unknown one ({@code online: false, last_seen: null}).</li>
 * </ul>
 * {@code chat_type} is {@code direct} (then {@code chat_id} is {@code "{id1}_{id2}"}, either
 * order, and must include you) or {@code project} (any other chat: group, project, support,
 * booking). {@code content} may be omitted for {@code set_online}/{@code set_offline} and
 * {@code presence}.
 *
 * <h2>Server frames</h2>
 * The same types, broadcast to the chat's members (and as the acknowledgement to the sender)
 * with server fields added: {@code new_message {chat_type, chat_id, message_id, message,
 * reply_to, sender_id, created_at}}, {@code edit_message {..., message, updated_at}},
 * {@code delete_message {chat_type, chat_id, message_id, sender_id, deleted_at}},
 * {@code message_read {chat_type, chat_id, message_id, user_id}}, {@code user_typing
 * {chat_type, chat_id, user_id}}, and ours {@code member_joined {chat_type, chat_id, user_id}}
 * and {@code member_left {chat_type, chat_id, user_id}} (to every member, the one who joined or
 * left included); general events {@code user_online {user_id}} and {@code user_offline
 * {user_id}}. {@code message_read}, typing and presence requests are not
 * acknowledged (only errors answer them). Errors: {@code {"type": "error", "content": {"code",
 * "message", "request_type"}}}. Direct chat ids are sent in canonical order ({@code "1_2"}).
 *
 * <p>Stateless and thread-safe.
 */
public final class TypedCodec implements DialectCodec {
    public static final String DIALECT = "typed";
    private static final String SUPPORTED = "supported types: " + String.join(", ", CLIENT_TYPES);

    @Override
    public String dialect() {
        return DIALECT;
    }

    @Override
    public Request decode(byte[] utf8, int offset, int length) {
        String type = null;
        try {
            JsonNode frame = Json.readObject(utf8, offset, length);
            Fields fields = new Fields(frame, "");
            JsonNode typeNode = fields.raw("type");
            if (typeNode == null || !typeNode.isTextual()) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "type: required, a string; " + SUPPORTED);
            }
            type = typeNode.textValue();
            if (!CLIENT_TYPES.contains(type)) {
                String unknown = Json.abbreviate(type, 64);
                type = null;
                throw new ChatException(ErrorCode.BAD_REQUEST, "unknown type \"" + unknown + "\"; " + SUPPORTED);
            }
            return new Request.Valid(type, null, command(type, fields));
        } catch (ChatException e) {
            return new Request.Invalid(type, null, e);
        } catch (RuntimeException e) {
            return new Request.Invalid(type, null, new ChatException(ErrorCode.BAD_REQUEST, "malformed request"));
        }
    }

    private static Command command(String type, Fields frame) {
        if (type.equals(SET_ONLINE) || type.equals(SET_OFFLINE)) {
            frame.optionalObject("content");
            return new Command.SetPresence(type.equals(SET_ONLINE));
        }
        if (type.equals(PRESENCE)) {
            Fields content = frame.optionalObject("content");
            return content.has("user_ids")
                    ? new Command.GetPresence(List.copyOf(content.ids("user_ids", Command.GetPresence.MAX_USERS)))
                    : Command.GetPresence.ofContacts();
        }
        Fields content = frame.object("content");
        if (type.equals(REFRESH)) {
            return new Command.RefreshToken(content.text("token"));
        }
        String chatId = chatId(content);
        return switch (type) {
            case NEW_MESSAGE -> {
                String attachmentId = content.optionalAttachmentId("attachment_id");
                yield new Command.SendMessage(chatId, null, content.caption("message", attachmentId != null),
                        content.contentType("content_type"), content.optionalPositiveLong("reply_to"),
                        content.optionalClientMessageId(), attachmentId);
            }
            case DELETE_MESSAGE -> new Command.DeleteMessage(chatId, null, content.positiveLong("message_id"));
            case MESSAGE_READ -> new Command.MarkRead(chatId, null, content.positiveLong("message_id"));
            case USER_TYPING, TYPING_ALIAS -> new Command.Typing(chatId, null);
            case EDIT_MESSAGE -> new Command.EditMessage(chatId, null, content.positiveLong("message_id"),
                    content.text("message"));
            case SYNC -> new Command.GetHistory(chatId, null, null, content.optionalInt("limit", 1,
                    Command.GetHistory.MAX_LIMIT, Command.GetHistory.MAX_LIMIT), content.optionalPositiveLong("after"));
            default -> throw new ChatException(ErrorCode.BAD_REQUEST, "unknown type " + type);
        };
    }

    /** {@code chat_type} and {@code chat_id} must agree: a direct id is exactly a direct chat. */
    private static String chatId(Fields content) {
        String chatType = content.string("chat_type");
        String chatId = content.id("chat_id");
        boolean direct = DirectChatIds.isDirect(chatId);
        if (DIRECT.equals(chatType)) {
            if (!direct) {
                throw new ChatException(ErrorCode.BAD_REQUEST,
                        "content.chat_id: a direct chat id is \"{id1}_{id2}\", e.g. \"1_2\"");
            }
            return DirectChatIds.canonical(chatId);
        }
        if (PROJECT.equals(chatType)) {
            if (direct) {
                throw new ChatException(ErrorCode.BAD_REQUEST,
                        "content.chat_id: \"" + chatId + "\" is a direct chat id; use chat_type \"direct\"");
            }
            return chatId;
        }
        throw new ChatException(ErrorCode.BAD_REQUEST, "content.chat_type: expected \"direct\" or \"project\"");
    }

    @Override
    public byte[] encodeReply(Request.Valid request, Reply reply) {
        if (reply instanceof Reply.MessageReply m) {
            return messageFrame(m.message());
        }
        if (reply instanceof Reply.HistoryPage page) {
            String chatId = ((Command.GetHistory) request.command()).chatId();
            return chatFrame(SYNC, chatId, gen -> {
                gen.writeArrayFieldStart("messages");
                for (Message m : page.messages()) {
                    gen.writeStartObject();
                    messageFields(gen, m);
                    gen.writeEndObject();
                }
                gen.writeEndArray();
                gen.writeBooleanField("has_more", page.more());
            });
        }
        if (reply instanceof Reply.TokenRefreshed refreshed) {
            return Json.write(gen -> {
                gen.writeStartObject();
                gen.writeStringField("type", REFRESH);
                gen.writeObjectFieldStart("content");
                gen.writeStringField("expires_at", Json.timestamp(refreshed.expiresAt()));
                gen.writeEndObject();
                gen.writeEndObject();
            });
        }
        if (reply instanceof Reply.PresenceSnapshot snapshot) {
            return presenceFrame(snapshot);
        }
        return null; // reads, typing and presence are acknowledged by silence
    }

    @Override
    public byte[] encodeError(Request request, ChatException error) {
        return Json.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", ERROR);
            gen.writeObjectFieldStart("content");
            gen.writeNumberField("code", error.code().status());
            gen.writeStringField("message", Json.messageOf(error));
            if (request != null && request.name() != null) {
                gen.writeStringField("request_type", request.name());
            }
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    @Override
    public byte[] encodeEvent(ChatEvent event) {
        if (event instanceof ChatEvent.MessagePosted posted) {
            return messageFrame(posted.message());
        }
        if (event instanceof ChatEvent.MessageChanged changed) {
            return messageFrame(changed.message());
        }
        if (event instanceof ChatEvent.MessageRead read) {
            return chatFrame(MESSAGE_READ, read.chatId(), gen -> {
                gen.writeNumberField("message_id", read.messageId());
                Json.writeId(gen, "user_id", read.readerId());
            });
        }
        if (event instanceof ChatEvent.Typing typing) {
            return chatFrame(USER_TYPING, typing.chatId(), gen -> Json.writeId(gen, "user_id", typing.userId()));
        }
        if (event instanceof ChatEvent.MemberJoined joined) {
            return chatFrame(MEMBER_JOINED, joined.chatId(), gen -> Json.writeId(gen, "user_id", joined.userId()));
        }
        if (event instanceof ChatEvent.MemberLeft left) {
            return chatFrame(MEMBER_LEFT, left.chatId(), gen -> {
                Json.writeId(gen, "user_id", left.userId());
                if (left.removedBy() != null) {
                    Json.writeId(gen, "removed_by", left.removedBy());
                }
            });
        }
        if (event instanceof ChatEvent.PresenceChanged presence) {
            return Json.write(gen -> {
                gen.writeStartObject();
                gen.writeStringField("type", presence.online() ? USER_ONLINE : USER_OFFLINE);
                gen.writeObjectFieldStart("content");
                Json.writeId(gen, "user_id", presence.userId());
                gen.writeEndObject();
                gen.writeEndObject();
            });
        }
        return null;
    }

    /** {@code presence {users: [{user_id, online, last_seen}], has_more}}. */
    private static byte[] presenceFrame(Reply.PresenceSnapshot snapshot) {
        return Json.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", PRESENCE);
            gen.writeObjectFieldStart("content");
            gen.writeArrayFieldStart("users");
            for (UserPresence user : snapshot.users()) {
                gen.writeStartObject();
                Json.writeId(gen, "user_id", user.userId());
                gen.writeBooleanField("online", user.online());
                if (user.lastSeen() == null) {
                    gen.writeNullField("last_seen");
                } else {
                    gen.writeStringField("last_seen", Json.timestamp(user.lastSeen()));
                }
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeBooleanField("has_more", snapshot.more());
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    /** new_message, edit_message or delete_message, from the message as it is now. */
    private static byte[] messageFrame(Message m) {
        if (m.deleted()) {
            return chatFrame(DELETE_MESSAGE, m.chatId(), gen -> {
                gen.writeNumberField("message_id", m.id());
                Json.writeId(gen, "sender_id", m.senderId());
                gen.writeStringField("deleted_at", Json.timestamp(m.updatedAt()));
            });
        }
        return chatFrame(m.edited() ? EDIT_MESSAGE : NEW_MESSAGE, m.chatId(), gen -> messageFields(gen, m));
    }

    /** A message's fields as new_message carries them; edited ones add updated_at, deleted ones deleted_at. */
    private static void messageFields(JsonGenerator gen, Message m) throws IOException {
        gen.writeNumberField("message_id", m.id());
        gen.writeStringField("message", m.content());
        if (m.replyTo() == null) {
            gen.writeNullField("reply_to");
        } else {
            gen.writeNumberField("reply_to", m.replyTo());
        }
        Json.writeId(gen, "sender_id", m.senderId());
        gen.writeNumberField("content_type", m.contentType().code());
        AttachmentJson.writeField(gen, m.attachment(), false);
        gen.writeStringField("created_at", Json.timestamp(m.createdAt()));
        if (m.edited()) {
            gen.writeStringField("updated_at", Json.timestamp(m.updatedAt()));
        }
        if (m.deleted()) {
            gen.writeStringField("deleted_at", Json.timestamp(m.updatedAt()));
        }
    }

    private static byte[] chatFrame(String type, String chatId, Json.Body fields) {
        return Json.write(gen -> {
            gen.writeStartObject();
            gen.writeStringField("type", type);
            gen.writeObjectFieldStart("content");
            chatRef(gen, chatId);
            fields.writeTo(gen);
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    private static void chatRef(JsonGenerator gen, String chatId) throws IOException {
        gen.writeStringField("chat_type", DirectChatIds.isDirect(chatId) ? DIRECT : PROJECT);
        gen.writeStringField("chat_id", chatId);
    }
}
