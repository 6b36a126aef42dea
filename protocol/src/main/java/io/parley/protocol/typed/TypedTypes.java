package io.parley.protocol.typed;

import java.util.List;

/** The {@code type} values of the {@code typed} dialect (seed 004). */
public final class TypedTypes {
    // Client -> server (and broadcast back with server fields added).
    public static final String NEW_MESSAGE = "new_message";
    public static final String DELETE_MESSAGE = "delete_message";
    public static final String MESSAGE_READ = "message_read";
    public static final String USER_TYPING = "user_typing";
    /** The seed's examples label several events {@code "typing"}; accepted as {@link #USER_TYPING}. */
    public static final String TYPING_ALIAS = "typing";
    public static final String SET_ONLINE = "set_online";
    public static final String SET_OFFLINE = "set_offline";
    /** Ours: the seed has no editing. */
    public static final String EDIT_MESSAGE = "edit_message";
    /** Ours: the messages after the last one a client saw (resume), answered with the same type. */
    public static final String SYNC = "sync";
    /** Ours: a fresh access token for the socket ({@code content.token}), answered with the same type. */
    public static final String REFRESH = "refresh";
    /**
     * Ours: a presence snapshot of the user's contacts ({@code content.user_ids} absent) or of the
     * users listed there, answered with the same type.
     */
    public static final String PRESENCE = "presence";

    // Server -> client only.
    public static final String USER_ONLINE = "user_online";
    public static final String USER_OFFLINE = "user_offline";
    /** Ours: someone became a member of the chat (added, or support staff opening it). */
    public static final String MEMBER_JOINED = "member_joined";
    /** Ours: someone stopped being a member of the chat (left, or removed). */
    public static final String MEMBER_LEFT = "member_left";
    public static final String ERROR = "error";

    public static final String DIRECT = "direct";
    public static final String PROJECT = "project";

    /** What a client may send, in documentation order (the alias last). */
    public static final List<String> CLIENT_TYPES = List.of(NEW_MESSAGE, DELETE_MESSAGE, MESSAGE_READ, USER_TYPING,
            SET_ONLINE, SET_OFFLINE, EDIT_MESSAGE, SYNC, REFRESH, PRESENCE, TYPING_ALIAS);

    private TypedTypes() {
    }
}
