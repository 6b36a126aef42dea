package io.parley.protocol.events;

import java.util.List;

/**
 * The frame names of the {@code events} dialect (seed 002): what a client may send and what the
 * server pushes. Names are case-sensitive.
 */
public final class EventNames {

    /** Open (or get) the support conversation of an application. */
    public static final String ADD_CONVERSATION = "Event.AddConversation";
    /** List the caller's conversations. */
    public static final String GET_CONVERSATION_LIST = "Event.GetConversationList";
    /** A page of a conversation's history. */
    public static final String GET_MESSAGE_LIST = "Event.GetMessageList";
    /** Post a message. */
    public static final String SEND_MESSAGE = "Event.SendMessage";
    /** Move the caller's read cursor to a message. */
    public static final String READ_MESSAGE = "Event.ReadMessage";
    /** Unread counts per conversation (undocumented in seed 002). */
    public static final String GET_UNREAD_INFO = "Event.GetUnreadInfo";
    /** Extension: not in seed 002. */
    public static final String EDIT_MESSAGE = "Event.EditMessage";
    /** Extension: not in seed 002. */
    public static final String DELETE_MESSAGE = "Event.DeleteMessage";
    /** Extension: replace the socket's access token with a fresh one before it expires. */
    public static final String REFRESH_TOKEN = "Event.RefreshToken";

    /** Server push: a new message in one of the client's conversations. */
    public static final String RECEIVE_MESSAGE = "Event.ReceiveMessage";
    /** Server push (extension): a message was edited or deleted. */
    public static final String MESSAGE_CHANGED = "Event.MessageChanged";
    /** Server push (extension): another member read up to a message, whose status is now 1. */
    public static final String MESSAGE_STATUS = "Event.MessageStatus";
    /**
     * Server push (extension): someone joined or left a conversation of the client's, the client
     * included ({@code change} {@value #JOINED} or {@value #LEFT}).
     */
    public static final String MEMBER_CHANGED = "Event.MemberChanged";
    /** Name of an error reply to a frame whose name could not be read or is not a client request. */
    public static final String ERROR = "Event.Error";

    /** Every name a client may send, in documentation order. */
    public static final List<String> CLIENT_NAMES = List.of(
            ADD_CONVERSATION, GET_CONVERSATION_LIST, GET_MESSAGE_LIST, SEND_MESSAGE, READ_MESSAGE,
            GET_UNREAD_INFO, EDIT_MESSAGE, DELETE_MESSAGE, REFRESH_TOKEN);

    /** Every name the server pushes unprompted (besides replies, which echo the request's name). */
    public static final List<String> SERVER_NAMES = List.of(RECEIVE_MESSAGE, MESSAGE_CHANGED, MESSAGE_STATUS,
            MEMBER_CHANGED);

    /** {@code change} of an {@link #MEMBER_CHANGED} push: the user is a member from now on. */
    public static final String JOINED = "joined";
    /** {@code change} of an {@link #MEMBER_CHANGED} push: the user left or was removed. */
    public static final String LEFT = "left";

    private EventNames() {
    }
}
