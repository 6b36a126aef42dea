package io.parley.protocol.feed;

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
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Dialect {@code feed} (seed 001, support chat as a sequenced feed on {@code /v1/chats/{chat_id}}).
 *
 * <h2>Server frames</h2>
 * Every frame carries {@code socket_sequence}: 0 for the first frame on the socket, +1 per frame.
 * <ul>
 *   <li>{@code {"type": "update", "eventId", "timestamp" (s), "timestampms", "message": [item...],
 *       "socket_sequence"}}: the first frame holds recent history (oldest first; {@code eventId}
 *       the newest message's id, 0 when the chat is empty); then one per new message, its
 *       {@code eventId} the message id.</li>
 *   <li>item: {@code {"type": "message" | "chat_event", "text", "sender", "send_date" (s)}};
 *       {@code chat_event} items are system events (a support agent or member joined, a member
 *       left or was removed: "user 7 left the chat") and the application's system messages
 *       (sender {@code system}).</li>
 *   <li>{@code {"type": "heartbeat", "socket_sequence"}} every 5 s with {@code ?heartbeat=true}.</li>
 *   <li>{@code {"type": "error", "code", "message", "socket_sequence"}}.</li>
 * </ul>
 *
 * <h2>Client frames</h2>
 * {@code {"type": "update", "message": [{"type": "message", "text"}]}}: exactly one item; it is
 * posted to the socket's chat and comes back to everyone (the sender too) as an {@code update}.
 * {@code {"type": "refresh", "token"}} (ours): the socket's access token is replaced by a fresh
 * one of the same user, so the socket outlives the old one's expiry; answered
 * {@code {"type": "refresh", "expires_at" (s), "socket_sequence"}}, or an {@code error} 401
 * (invalid or expired token) or 403 (another user's, or a service token), after which the old
 * expiry stands. Reads, typing, edits and deletions have no frame in this dialect.
 *
 * <h2>Open frames</h2>
 * Encode-once with a per-socket number: every frame this codec returns is <em>open</em> — the
 * UTF-8 of the frame up to and including {@code "socket_sequence":}. The socket's writer appends
 * its own number and {@code }} ({@link #close(long)}), so one encoding serves every socket.
 */
public final class FeedCodec implements DialectCodec {
    public static final String DIALECT = "feed";
    public static final String UPDATE = "update";
    public static final String REFRESH = "refresh";
    public static final String HEARTBEAT = "heartbeat";
    public static final String ERROR = "error";
    public static final String ITEM_MESSAGE = "message";
    public static final String ITEM_CHAT_EVENT = "chat_event";

    private static final byte[] OPEN_HEARTBEAT = open(gen -> gen.writeStringField("type", HEARTBEAT));

    private final Clock clock;

    public FeedCodec() {
        this(Clock.systemUTC());
    }

    public FeedCodec(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String dialect() {
        return DIALECT;
    }

    @Override
    public Request decode(byte[] utf8, int offset, int length) {
        return decode(SocketScope.NONE, utf8, offset, length);
    }

    @Override
    public Request decode(SocketScope scope, byte[] utf8, int offset, int length) {
        try {
            JsonNode frame = Json.readObject(utf8, offset, length);
            Fields fields = new Fields(frame, "");
            String type = fields.optionalString("type");
            if (REFRESH.equals(type)) {
                return new Request.Valid(REFRESH, null, new Command.RefreshToken(fields.text("token")));
            }
            if (!UPDATE.equals(type)) {
                throw new ChatException(ErrorCode.BAD_REQUEST,
                        "type: expected \"update\" (a message) or \"refresh\" (a fresh access token)");
            }
            JsonNode items = frame.get("message");
            if (items == null || !items.isArray() || items.size() != 1) {
                throw new ChatException(ErrorCode.BAD_REQUEST,
                        "message: expected an array of exactly one item {\"type\": \"message\", \"text\": \"...\"}");
            }
            if (!items.get(0).isObject()) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "message[0]: expected an object");
            }
            Fields item = new Fields(items.get(0), "message[0].");
            if (!ITEM_MESSAGE.equals(item.optionalString("type"))) {
                throw new ChatException(ErrorCode.BAD_REQUEST,
                        "message[0].type: expected \"message\" (chat_event items come from the server only)");
            }
            return new Request.Valid(UPDATE, null, sendMessage(scope.chatId(), item, fields));
        } catch (ChatException e) {
            return new Request.Invalid(null, null, e);
        } catch (RuntimeException e) {
            return new Request.Invalid(null, null, new ChatException(ErrorCode.BAD_REQUEST, "malformed request"));
        }
    }

    /** A message item: {@code text}, or an {@code attachment_id} with the text as its optional caption. */
    private static Command.SendMessage sendMessage(String chatId, Fields item, Fields frame) {
        String attachmentId = item.optionalAttachmentId("attachment_id");
        return new Command.SendMessage(chatId, null, item.caption("text", attachmentId != null), ContentType.TEXT,
                null, frame.optionalClientMessageId(), attachmentId);
    }

    /** The history update (a {@link Reply.HistoryPage}) or a sent message's update; open frames. */
    @Override
    public byte[] encodeReply(Request.Valid request, Reply reply) {
        if (reply instanceof Reply.HistoryPage page) {
            List<Message> messages = page.messages();
            // The last message's id, so that reconnecting with it as after_event_id resumes here;
            // an empty resume keeps the id it resumed from.
            Long resumedFrom = request != null && request.command() instanceof Command.GetHistory history
                    ? history.afterId() : null;
            long eventId = !messages.isEmpty() ? messages.get(messages.size() - 1).id()
                    : resumedFrom != null ? resumedFrom : 0;
            return update(eventId, clock.instant(), gen -> {
                for (Message m : messages) {
                    item(gen, itemType(m), m.deleted() ? "" : m.content(), m.senderId(), m.createdAt(), m.attachment());
                }
            }, page.more());
        }
        if (reply instanceof Reply.MessageReply m) {
            return messageUpdate(m.message());
        }
        if (reply instanceof Reply.TokenRefreshed refreshed) {
            return open(gen -> {
                gen.writeStringField("type", REFRESH);
                gen.writeNumberField("expires_at", refreshed.expiresAt().getEpochSecond());
            });
        }
        return null;
    }

    @Override
    public byte[] encodeError(Request request, ChatException error) {
        return open(gen -> {
            gen.writeStringField("type", ERROR);
            gen.writeNumberField("code", error.code().status());
            gen.writeStringField("message", Json.messageOf(error));
        });
    }

    @Override
    public byte[] encodeEvent(ChatEvent event) {
        if (event instanceof ChatEvent.MessagePosted posted) {
            return messageUpdate(posted.message());
        }
        if (event instanceof ChatEvent.MemberJoined joined) {
            String text = (joined.staff() ? "support agent " : "user ") + joined.userId() + " joined the chat";
            return update(joined.eventId(), joined.at(), gen -> item(gen, ITEM_CHAT_EVENT, text, Message.SYSTEM_SENDER, joined.at(), null));
        }
        if (event instanceof ChatEvent.MemberLeft left) {
            String text = left.removedBy() == null ? "user " + left.userId() + " left the chat"
                    : "user " + left.userId() + " was removed from the chat";
            return update(left.eventId(), left.at(), gen -> item(gen, ITEM_CHAT_EVENT, text, Message.SYSTEM_SENDER, left.at(), null));
        }
        return null;
    }

    /** The open heartbeat frame (shared; do not modify). */
    public static byte[] heartbeat() {
        return OPEN_HEARTBEAT;
    }

    /** What completes an open frame for a socket: its number and the closing brace. */
    public static byte[] close(long socketSequence) {
        return (socketSequence + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** An open frame completed with a number: a whole JSON frame (tests, single writes). */
    public static byte[] complete(byte[] open, long socketSequence) {
        byte[] tail = close(socketSequence);
        byte[] frame = Arrays.copyOf(open, open.length + tail.length);
        System.arraycopy(tail, 0, frame, open.length, tail.length);
        return frame;
    }

    private byte[] messageUpdate(Message m) {
        return update(m.id(), m.createdAt(), gen -> item(gen, itemType(m), m.content(), m.senderId(), m.createdAt(), m.attachment()));
    }

    /** The application's system messages (a chat closed, a booking confirmed) are system items. */
    private static String itemType(Message m) {
        return Message.SYSTEM_SENDER.equals(m.senderId()) ? ITEM_CHAT_EVENT : ITEM_MESSAGE;
    }

    private static byte[] update(long eventId, Instant at, Json.Body items) {
        return update(eventId, at, items, false);
    }

    /** {@code more}: a resume that did not reach the newest message says so ({@code "has_more": true}). */
    private static byte[] update(long eventId, Instant at, Json.Body items, boolean more) {
        return open(gen -> {
            gen.writeStringField("type", UPDATE);
            gen.writeNumberField("eventId", eventId);
            gen.writeNumberField("timestamp", at.getEpochSecond());
            gen.writeNumberField("timestampms", at.toEpochMilli());
            gen.writeArrayFieldStart("message");
            items.writeTo(gen);
            gen.writeEndArray();
            if (more) {
                gen.writeBooleanField("has_more", true);
            }
        });
    }

    private static void item(JsonGenerator gen, String type, String text, String sender, Instant sent,
                             Attachment attachment) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("type", type);
        gen.writeStringField("text", text);
        gen.writeStringField("sender", sender);
        gen.writeNumberField("send_date", sent.getEpochSecond());
        AttachmentJson.writeField(gen, attachment, false);
        gen.writeEndObject();
    }

    /**
     * Writes the frame's fields followed by {@code "socket_sequence":0}, then cuts the trailing
     * {@code 0}} — the generator's output there is fixed, so what remains is exactly the open frame.
     */
    private static byte[] open(Json.Body fields) {
        byte[] whole = Json.write(gen -> {
            gen.writeStartObject();
            fields.writeTo(gen);
            gen.writeNumberField("socket_sequence", 0);
            gen.writeEndObject();
        });
        return Arrays.copyOf(whole, whole.length - 2);
    }
}
