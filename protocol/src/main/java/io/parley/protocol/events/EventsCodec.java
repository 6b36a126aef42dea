package io.parley.protocol.events;

import io.parley.protocol.DialectCodec;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;

/**
 * Dialect {@code events} (seed 002), the primary dialect: named events with JSON arguments.
 *
 * <h2>Client frames</h2>
 * <pre>{"name": "Event.X", "args": {...} | "{...}", "id"?: string | number}</pre>
 * {@code args} is an object or, as in the seed, a string holding a JSON object. The optional
 * {@code id} is echoed as {@code "id"} in the reply. User ids ({@code user_id},
 * {@code sender_id}, {@code executor_id}) and {@code session_channel} accept a number or a
 * string; other ids ({@code application_id}, {@code message_id}, {@code before_id},
 * {@code reply_to}) are positive 64-bit integers, as numbers or decimal strings. A field sent as
 * {@code null} counts as absent; unknown fields are ignored; duplicate keys are rejected.
 * <ul>
 *   <li>{@code Event.AddConversation {user_id, application_id}} → the conversation of that
 *       application, created on first call ({@code session_channel} is the application id).</li>
 *   <li>{@code Event.GetConversationList {user_id}} → {@code {"conversations": [...]}}.</li>
 *   <li>{@code Event.GetMessageList {session_channel, executor_id, before_id?, after_id?, limit?}} →
 *       {@code {"Messages": [...], "has_more"}} in ascending order; newest page by default,
 *       {@code before_id} pages back, {@code after_id} resumes (the messages after that one,
 *       oldest first; repeat with the last id while {@code has_more}), {@code limit} 1..200
 *       (default 50).</li>
 *   <li>{@code Event.SendMessage {session_channel, sender_id, content, content_type?, reply_to?}}
 *       → {@code {"message": {...}}}; {@code content_type} 1 text (default, also for unknown
 *       values) or 2 image URL; {@code content} must not be blank.</li>
 *   <li>{@code Event.ReadMessage {session_channel, executor_id, message_id}} → {@code null};
 *       moves the read cursor ({@code message_id} is matched case-insensitively, as the seed
 *       spells it {@code messagE_id}).</li>
 *   <li>{@code Event.GetUnreadInfo {user_id}} → {@code {"total": n, "conversations":
 *       [{"session_channel", "unread"}]}}.</li>
 *   <li>{@code Event.EditMessage {session_channel, sender_id, message_id, content}} and
 *       {@code Event.DeleteMessage {session_channel, sender_id, message_id}} (extensions) →
 *       {@code {"message": {...}}} as it is now.</li>
 *   <li>{@code Event.RefreshToken {token}} (extension) → {@code {"expires_at"}}: the socket's
 *       access token is replaced by {@code token} (a fresh JWT of the same user), so the socket
 *       is not closed at the old one's expiry. Refused with 401 (invalid or expired token) or
 *       403 (another user's, or a service token); the old deadline then stands.</li>
 * </ul>
 *
 * <h2>Server frames</h2>
 * <pre>{"name": &lt;request name&gt;, "id"?: ..., "ok": true, "result": ...}
 *{"name": &lt;request name&gt; | "Event.Error", "id"?: ..., "ok": false, "error": {"code": 400, "message": "..."}}</pre>
 * {@code Event.Error} names errors for frames whose name is missing, unknown or server-only.
 * Error codes follow HTTP: 400, 401, 403, 404, 409, 413, 429, 500, 503. Pushes:
 * <ul>
 *   <li>{@code Event.ReceiveMessage} → {@code {"message": {...}}}: a new message.</li>
 *   <li>{@code Event.MessageChanged} (extension) → {@code {"message": {...}}}: edited or deleted.</li>
 *   <li>{@code Event.MessageStatus} (extension) → {@code {"session_channel", "message_id",
 *       "reader_id", "status": 1}}: another member read up to that message.</li>
 *   <li>{@code Event.MemberChanged} (extension) → {@code {"session_channel", "user_id", "change":
 *       "joined" | "left", "staff"?: true}}: someone joined the conversation (support staff
 *       opening it, or a member added) or left it (leaving, or removed); told to every member,
 *       the one who joined and the one who left included.</li>
 * </ul>
 *
 * <h2>Objects</h2>
 * Conversation: {@code {"id", "session_channel", "application_id"?, "create_at", "update_at",
 * "kind", "title"?}}. Message: {@code {"id", "session_channel", "content", "sender_id",
 * "status", "create_at", "update_at", "content_type", "reply_to"?, "edited"?: true,
 * "deleted"?: true}}; {@code status} is 1 once another member has read it. User ids are written
 * as numbers when they are decimal integers, else as strings. Timestamps are RFC 3339 UTC with
 * the stored precision ({@code 2020-03-06T03:29:29.321142Z}).
 *
 * <p>Stateless and thread-safe: one instance serves every connection.
 *
 * @see EventNames
 */
public final class EventsCodec implements DialectCodec {

    /** This dialect's name, as returned by {@link #dialect()}. */
    public static final String DIALECT = "events";

    @Override
    public String dialect() {
        return DIALECT;
    }

    @Override
    public Request decode(byte[] utf8, int offset, int length) {
        try {
            return EnvelopeReader.decode(utf8, offset, length);
        } catch (RuntimeException e) {
            // Last resort: decoding must never throw. Not expected to happen.
            return new Request.Invalid(null, null, new ChatException(
                    ErrorCode.BAD_REQUEST, "malformed request"));
        }
    }

    @Override
    public byte[] encodeReply(Request.Valid request, Reply reply) {
        return EnvelopeWriter.reply(request, reply);
    }

    @Override
    public byte[] encodeError(Request request, ChatException error) {
        return EnvelopeWriter.error(request, error);
    }

    @Override
    public byte[] encodeEvent(ChatEvent event) {
        return EnvelopeWriter.event(event);
    }
}
