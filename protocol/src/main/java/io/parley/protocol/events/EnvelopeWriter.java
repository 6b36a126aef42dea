package io.parley.protocol.events;

import com.fasterxml.jackson.core.JsonGenerator;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UnreadCount;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Writes server frames: {@code {"name", "id"?, "ok": true, "result"}} for replies and pushes,
 * {@code {"name", "id"?, "ok": false, "error": {"code", "message"}}} for errors.
 */
final class EnvelopeWriter {

    private EnvelopeWriter() {
    }

    static byte[] reply(Request.Valid request, Reply reply) {
        return Json.write(gen -> {
            header(gen, nameOf(request), request.correlationId(), true);
            gen.writeFieldName("result");
            result(gen, reply);
            gen.writeEndObject();
        });
    }

    static byte[] error(Request request, ChatException error) {
        String name = request == null ? EventNames.ERROR : nameOf(request);
        Object id = request == null ? null : request.correlationId();
        return Json.write(gen -> {
            header(gen, name, id, false);
            gen.writeObjectFieldStart("error");
            gen.writeNumberField("code", error.code().status());
            gen.writeStringField("message", Json.messageOf(error));
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    static byte[] event(ChatEvent event) {
        if (event instanceof ChatEvent.MessagePosted posted) {
            return messagePush(EventNames.RECEIVE_MESSAGE, posted.message());
        }
        if (event instanceof ChatEvent.MessageChanged changed) {
            return messagePush(EventNames.MESSAGE_CHANGED, changed.message());
        }
        if (event instanceof ChatEvent.MessageRead read) {
            return Json.write(gen -> {
                header(gen, EventNames.MESSAGE_STATUS, null, true);
                gen.writeObjectFieldStart("result");
                gen.writeStringField("session_channel", read.chatId());
                gen.writeNumberField("message_id", read.messageId());
                Json.writeId(gen, "reader_id", read.readerId());
                gen.writeNumberField("status", 1);
                gen.writeEndObject();
                gen.writeEndObject();
            });
        }
        if (event instanceof ChatEvent.MemberJoined joined) {
            return memberChanged(joined.chatId(), joined.userId(), EventNames.JOINED, joined.staff(), null);
        }
        if (event instanceof ChatEvent.MemberLeft left) {
            return memberChanged(left.chatId(), left.userId(), EventNames.LEFT, false, left.removedBy());
        }
        return null;
    }

    /**
     * {@code staff} only when true, as the message object writes {@code edited} and {@code deleted};
     * {@code removed_by} only when someone removed the member.
     */
    private static byte[] memberChanged(String chatId, String userId, String change, boolean staff, String removedBy) {
        return Json.write(gen -> {
            header(gen, EventNames.MEMBER_CHANGED, null, true);
            gen.writeObjectFieldStart("result");
            gen.writeStringField("session_channel", chatId);
            Json.writeId(gen, "user_id", userId);
            gen.writeStringField("change", change);
            if (staff) {
                gen.writeBooleanField("staff", true);
            }
            if (removedBy != null) {
                Json.writeId(gen, "removed_by", removedBy);
            }
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    private static byte[] messagePush(String name, Message message) {
        return Json.write(gen -> {
            header(gen, name, null, true);
            gen.writeObjectFieldStart("result");
            gen.writeFieldName("message");
            ModelWriter.message(gen, message, 0);
            gen.writeEndObject();
            gen.writeEndObject();
        });
    }

    private static void result(JsonGenerator gen, Reply reply) throws IOException {
        if (reply instanceof Reply.ChatReply chatReply) {
            ModelWriter.conversation(gen, chatReply.chat());
        } else if (reply instanceof Reply.ChatList list) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("conversations");
            for (Chat chat : list.chats()) {
                ModelWriter.conversation(gen, chat);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } else if (reply instanceof Reply.HistoryPage page) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("Messages");
            for (Message message : page.messages()) {
                ModelWriter.message(gen, message, page.statusOf(message));
            }
            gen.writeEndArray();
            gen.writeBooleanField("has_more", page.more());
            gen.writeEndObject();
        } else if (reply instanceof Reply.MessageReply messageReply) {
            gen.writeStartObject();
            gen.writeFieldName("message");
            ModelWriter.message(gen, messageReply.message(), 0);
            gen.writeEndObject();
        } else if (reply instanceof Reply.UnreadSummary summary) {
            gen.writeStartObject();
            gen.writeNumberField("total", summary.total());
            gen.writeArrayFieldStart("conversations");
            for (UnreadCount count : summary.chats()) {
                ModelWriter.unread(gen, count);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } else if (reply instanceof Reply.TokenRefreshed refreshed) {
            gen.writeStartObject();
            gen.writeStringField("expires_at", Json.timestamp(refreshed.expiresAt()));
            gen.writeEndObject();
        } else {
            // Reply.Done, and any future reply without a seed-002 shape.
            gen.writeNull();
        }
    }

    /** Starts the frame object and writes {@code name}, {@code id} (when present) and {@code ok}. */
    private static void header(JsonGenerator gen, String name, Object id, boolean ok) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("name", name);
        if (id != null) {
            gen.writeFieldName("id");
            correlationId(gen, id);
        }
        gen.writeBooleanField("ok", ok);
    }

    private static String nameOf(Request request) {
        return request.name() == null ? EventNames.ERROR : request.name();
    }

    private static void correlationId(JsonGenerator gen, Object id) throws IOException {
        if (id instanceof String text) {
            gen.writeString(text);
        } else if (id instanceof Long || id instanceof Integer || id instanceof Short || id instanceof Byte) {
            gen.writeNumber(((Number) id).longValue());
        } else if (id instanceof BigInteger big) {
            gen.writeNumber(big);
        } else if (id instanceof BigDecimal decimal) {
            gen.writeNumber(decimal);
        } else if (id instanceof Double || id instanceof Float) {
            double value = ((Number) id).doubleValue();
            if (Double.isFinite(value)) {
                gen.writeNumber(value);
            } else {
                gen.writeString(id.toString());
            }
        } else {
            gen.writeString(id.toString());
        }
    }
}
