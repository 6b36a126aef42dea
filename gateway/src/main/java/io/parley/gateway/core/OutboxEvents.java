package io.parley.gateway.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.rest.RestShapes;
import io.parley.storage.OutboxEvent;

import java.time.Instant;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The webhook events the chat core hands the store with each change, to be written in the change's
 * own commit: {@code chat.created}, {@code member.added}, {@code member.removed},
 * {@code chat.closed}, and the data of {@code message.created}. When no webhook is configured there
 * are none ({@code null}): nothing is written.
 */
public final class OutboxEvents {
    public static final String CHAT_CREATED = "chat.created";
    public static final String MEMBER_ADDED = "member.added";
    public static final String MEMBER_REMOVED = "member.removed";
    public static final String CHAT_CLOSED = "chat.closed";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean enabled;
    private final MessageIds ids;
    private final Runnable committed;

    private OutboxEvents(boolean enabled, MessageIds ids, Runnable committed) {
        this.enabled = enabled;
        this.ids = ids;
        this.committed = committed;
    }

    /**
     * Events for a configured webhook, numbered like messages (unique, time-ordered);
     * {@code committed} is told when a message's event is in the store (the dispatcher claims it
     * at once).
     */
    public static OutboxEvents on(MessageIds ids, Runnable committed) {
        return new OutboxEvents(true, ids, committed);
    }

    public static OutboxEvents off() {
        return new OutboxEvents(false, null, () -> { });
    }

    /** A message's event was committed. */
    void committed() {
        committed.run();
    }

    public boolean enabled() {
        return enabled;
    }

    /** The {@code chat.created} event of a chat about to be created (written only if it is). */
    OutboxEvent chatCreated(NewChat wanted) {
        if (!enabled) {
            return null;
        }
        Chat chat = new Chat(wanted.id(), 0, wanted.kind(), wanted.ownerId(), wanted.applicationId(), wanted.title(),
                wanted.createdAt(), wanted.createdAt());
        ObjectNode data = JSON.createObjectNode();
        data.set("chat", RestShapes.chat(chat));
        new TreeSet<>(wanted.members()).forEach(data.putArray("members")::add);
        return event(CHAT_CREATED, chat.id(), data, chat.createdAt());
    }

    OutboxEvent memberAdded(String chatId, String userId, Instant at) {
        return enabled ? event(MEMBER_ADDED, chatId, JSON.createObjectNode().put("user_id", userId), at) : null;
    }

    /** @param removedBy who removed the member ({@code system}: the application), null when they left */
    OutboxEvent memberRemoved(String chatId, String userId, String removedBy, Instant at) {
        if (!enabled) {
            return null;
        }
        ObjectNode data = JSON.createObjectNode().put("user_id", userId);
        if (removedBy != null) {
            data.put("removed_by", removedBy);
        }
        return event(MEMBER_REMOVED, chatId, data, at);
    }

    OutboxEvent chatClosed(String chatId, Instant at) {
        return enabled ? event(CHAT_CLOSED, chatId, JSON.createObjectNode(), at) : null;
    }

    /** {@code message.created}'s data: the members no socket anywhere was open for (to push to). */
    String messageData(Collection<String> offlineMembers) {
        if (!enabled) {
            return null;
        }
        ObjectNode data = JSON.createObjectNode();
        new TreeSet<>(offlineMembers).forEach(data.putArray("offline_members")::add);
        return data.toString();
    }

    private OutboxEvent event(String type, String chatId, ObjectNode data, Instant at) {
        return new OutboxEvent(ids.next(), type, chatId, null, data.toString(), at);
    }
}
