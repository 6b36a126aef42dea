package io.parley.protocol;

/**
 * What a connection's handshake fixed and its frames may rely on: the chat the socket is bound
 * to (dialects whose URL names one chat: {@code pair}, {@code feed}) and the credential that
 * authenticated it (dialect {@code pair} checks every frame's {@code sessionId} against it).
 *
 * @param chatId     the socket's chat, or {@code null} when the socket serves all the user's chats
 * @param credential the authenticating token, or {@code null} when the dialect does not need it
 */
public record SocketScope(String chatId, String credential) {
    /** A socket bound to no chat, whose frames never repeat the credential. */
    public static final SocketScope NONE = new SocketScope(null, null);

    /** The scope, sharing {@link #NONE} for the sockets that have none (most of them). */
    public static SocketScope of(String chatId, String credential) {
        return chatId == null && credential == null ? NONE : new SocketScope(chatId, credential);
    }
}
