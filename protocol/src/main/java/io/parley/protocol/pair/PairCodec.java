package io.parley.protocol.pair;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.Request;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.json.AttachmentJson;
import io.parley.protocol.json.Fields;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Dialect {@code pair} (seed 000, booking chat of two people on {@code /chat/{chatId}}):
 * {@code {"sessionId", "message"?, "timestamp"?}}.
 *
 * <ul>
 *   <li>The socket opens unauthenticated. The first frame with a valid {@code sessionId} (a JWT)
 *       authenticates it; a frame with only {@code sessionId} is a pure hello, answered
 *       {@code {"code": 200, "message": "authenticated"}}. Before that, every frame is answered
 *       {@code {"code": 401, ...}} and nothing is delivered to the socket.</li>
 *   <li>Every later frame carries the connection's {@code sessionId}. A frame with
 *       {@code message} posts it to the socket's chat; {@code timestamp}, when present, must be
 *       RFC 3339 but the server's commit time is what everyone sees.</li>
 *   <li>Token refresh (ours): a frame with another {@code sessionId} than the connection's is a
 *       fresh token ({@link Command.RefreshToken}, carrying what else the frame asks). Once the
 *       connection accepts it (same user, valid, no service token) it is the connection's
 *       {@code sessionId} and the socket lives until its expiry; the frame's message or resume is
 *       then run, and a pure hello is answered {@code {"code": 200, "message": "authenticated",
 *       "expires_at"}}. Refused: 401 (invalid or expired) or 403 (another user's), nothing of
 *       the frame is run, and the old {@code sessionId} and expiry stand.</li>
 *   <li>Delivery, to the other participant and as the sender's acknowledgement:
 *       {@code {"message", "timestamp", "senderId", "messageId"}} — never a {@code sessionId}.</li>
 *   <li>Resume (ours): a hello with {@code lastMessageId} is answered {@code {"code": 200,
 *       "message": "authenticated", "messages": [deliveries after it, oldest first], "has_more"}};
 *       with {@code has_more} true, send another hello with the last one's id.</li>
 *   <li>Errors: the seed's {@code ErrorSchema {"code", "message"}}.</li>
 * </ul>
 * Reads, typing, edits, deletions and membership changes have no frame in this dialect: its
 * chats are two people's bookings, and a frame beside deliveries and {@code ErrorSchema} would
 * be one existing clients cannot tell apart. A member removed from a chat learns it from the
 * 403 its next send gets.
 */
public final class PairCodec implements DialectCodec {
    public static final String DIALECT = "pair";
    /** On a hello: the last message the client has; the answer carries the ones after it. */
    static final String LAST_MESSAGE_ID = "lastMessageId";
    static final String ATTACHMENT_ID = "attachmentId";
    /** The name of a frame whose {@code sessionId} is a fresh token (names are not on the wire). */
    static final String REFRESH = "refresh";

    @Override
    public String dialect() {
        return DIALECT;
    }

    /** Without a scope there is no chat and no session to check against. */
    @Override
    public Request decode(byte[] utf8, int offset, int length) {
        return decode(SocketScope.NONE, utf8, offset, length);
    }

    @Override
    public Request decode(SocketScope scope, byte[] utf8, int offset, int length) {
        try {
            Fields frame = new Fields(Json.readObject(utf8, offset, length), "");
            String sessionId = sessionId(frame);
            if (scope.credential() == null) {
                throw new ChatException(ErrorCode.UNAUTHORIZED, "sessionId: this connection has no session yet");
            }
            checkTimestamp(frame);
            Command request = request(scope, frame);
            if (!scope.credential().equals(sessionId)) {
                // Another sessionId than the connection's: a fresh token, checked by the connection.
                return new Request.Valid(REFRESH, null, new Command.RefreshToken(sessionId, request));
            }
            if (request == null) {
                return new Request.Valid("hello", null, new Command.SetPresence(true));
            }
            return new Request.Valid(request instanceof Command.GetHistory ? "resume" : "message", null, request);
        } catch (ChatException e) {
            return new Request.Invalid(null, null, e);
        } catch (RuntimeException e) {
            return new Request.Invalid(null, null, new ChatException(ErrorCode.BAD_REQUEST, "malformed request"));
        }
    }

    /** What the frame asks beyond authentication: a message, a resume, or {@code null} (a pure hello). */
    private static Command request(SocketScope scope, Fields frame) {
        String attachmentId = frame.optionalAttachmentId(ATTACHMENT_ID);
        if (frame.has("message") || attachmentId != null) {
            return new Command.SendMessage(scope.chatId(), null, frame.caption("message", attachmentId != null),
                    ContentType.TEXT, null, frame.optionalClientMessageId(), attachmentId);
        }
        Long lastMessageId = frame.optionalPositiveLong(LAST_MESSAGE_ID);
        return lastMessageId == null ? null
                : new Command.GetHistory(scope.chatId(), null, null, Command.GetHistory.MAX_LIMIT, lastMessageId);
    }

    /**
     * The {@code sessionId} of a frame on a socket not authenticated yet.
     *
     * @throws ChatException 400 malformed JSON, 401 no {@code sessionId}
     */
    public static String helloSessionId(byte[] utf8, int offset, int length) {
        return sessionId(new Fields(Json.readObject(utf8, offset, length), ""));
    }

    /**
     * Whether the frame asks for more than authentication — a message to post, or a resume from
     * {@code lastMessageId} — so it must then be run, too.
     */
    public static boolean carriesRequest(byte[] utf8, int offset, int length) {
        JsonNode frame = Json.readObject(utf8, offset, length);
        return present(frame.get("message")) || present(frame.get(LAST_MESSAGE_ID));
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static String sessionId(Fields frame) {
        JsonNode node = frame.raw("sessionId");
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            throw new ChatException(ErrorCode.UNAUTHORIZED,
                    "authenticate first: send {\"sessionId\": \"<your session token>\"}");
        }
        return node.textValue();
    }

    private static void checkTimestamp(Fields frame) {
        String timestamp = frame.optionalString("timestamp");
        if (timestamp != null) {
            try {
                OffsetDateTime.parse(timestamp);
            } catch (DateTimeParseException e) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "timestamp: expected RFC 3339 such as \"2024-11-18T14:25:00Z\"");
            }
        }
    }

    @Override
    public byte[] encodeReply(Request.Valid request, Reply reply) {
        if (reply instanceof Reply.MessageReply m) {
            return delivery(m.message());
        }
        if (reply instanceof Reply.HistoryPage page) {
            return Json.write(gen -> {
                gen.writeStartObject();
                gen.writeNumberField("code", 200);
                gen.writeStringField("message", "authenticated");
                gen.writeArrayFieldStart("messages");
                for (Message m : page.messages()) {
                    delivery(gen, m);
                }
                gen.writeEndArray();
                gen.writeBooleanField("has_more", page.more());
                gen.writeEndObject();
            });
        }
        if (reply instanceof Reply.TokenRefreshed refreshed) {
            return Json.write(gen -> {
                gen.writeStartObject();
                gen.writeNumberField("code", 200);
                gen.writeStringField("message", "authenticated");
                gen.writeStringField("expires_at", Json.timestamp(refreshed.expiresAt()));
                gen.writeEndObject();
            });
        }
        return status(200, "authenticated");
    }

    @Override
    public byte[] encodeError(Request request, ChatException error) {
        return status(error.code().status(), Json.messageOf(error));
    }

    @Override
    public byte[] encodeEvent(ChatEvent event) {
        if (event instanceof ChatEvent.MessagePosted posted) {
            return delivery(posted.message());
        }
        return null;
    }

    /** The seed's ErrorSchema, also used for the hello acknowledgement. */
    public static byte[] status(int code, String message) {
        return Json.write(gen -> {
            gen.writeStartObject();
            gen.writeNumberField("code", code);
            gen.writeStringField("message", message);
            gen.writeEndObject();
        });
    }

    private static byte[] delivery(Message m) {
        return Json.write(gen -> delivery(gen, m));
    }

    private static void delivery(JsonGenerator gen, Message m) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("message", m.content());
        gen.writeStringField("timestamp", Json.timestamp(m.createdAt()));
        Json.writeId(gen, "senderId", m.senderId());
        gen.writeNumberField("messageId", m.id());
        AttachmentJson.writeField(gen, m.attachment(), true);
        gen.writeEndObject();
    }
}
