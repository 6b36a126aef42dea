package io.parley.protocol;

import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Reply;

/**
 * Translates one wire dialect to and from the canonical commands and events. Stateless and
 * thread-safe: one instance serves every connection of its dialect. Output is UTF-8 JSON bytes,
 * ready to be wrapped in a text frame.
 */
public interface DialectCodec {

    /** Dialect name as used in metrics and docs ({@code events}, {@code typed}, ...). */
    String dialect();

    /** Decodes one text frame. Never throws on bad input: returns {@link Request.Invalid}. */
    Request decode(byte[] utf8, int offset, int length);

    /**
     * Decodes one text frame of a connection with the given scope. Dialects whose frames depend
     * on the URL's chat or on the authenticating credential override this.
     */
    default Request decode(SocketScope scope, byte[] utf8, int offset, int length) {
        return decode(utf8, offset, length);
    }

    /** Encodes the reply to a request, or returns {@code null} when the dialect acknowledges nothing. */
    byte[] encodeReply(Request.Valid request, Reply reply);

    byte[] encodeError(Request request, ChatException error);

    /**
     * Encodes a pushed event once for every recipient of this dialect, or returns {@code null}
     * when the dialect has no frame for it.
     */
    byte[] encodeEvent(ChatEvent event);
}
