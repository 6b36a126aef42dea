package io.parley.gateway.core;

import io.parley.gateway.bus.Bus;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.OnlineUsers;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;

/**
 * What every part of the chat core shares: storage, the chat cache, ids, the bus, the clock, limits,
 * who is online (for the webhook's offline members) and the webhook events to write.
 */
public record CoreContext(HistoryService history, ChatDirectory directory, MessageIds ids, Bus bus, Clock clock,
                          int maxTextLength, int maxChatsPerUser, GatewayMetrics metrics, OnlineUsers onlineUsers,
                          OutboxEvents outbox) {

    /** Microsecond precision: what the stores keep, so a reply equals what history returns later. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * max_chats_per_user: a user about to create a chat must be in fewer than the limit. Staff
     * are exempt: they join support chats by reading them. Runs on a storage thread. Checked
     * before the create, so concurrent creates may overshoot by a few.
     */
    public void checkChatQuota(HistoryStore store, String userId, boolean staff) {
        if (staff) {
            return;
        }
        int chats = store.chatsOf(userId, maxChatsPerUser + 1).size();
        if (chats >= maxChatsPerUser) {
            metrics.limitRejected("chats_per_user");
            throw new ChatException(ErrorCode.FORBIDDEN, "chat limit reached: you are in " + chats
                    + " chats and at most " + maxChatsPerUser + " are allowed (max_chats_per_user)");
        }
    }

    /** The chat, or a 404 when there is none (for callers that check access themselves). */
    public CompletableFuture<ChatEntry> existingChat(String chatId) {
        return directory.find(chatId).thenApply(found -> found.orElseThrow(() -> notFound("chat " + chatId)));
    }

    public static ChatException notFound(String what) {
        return new ChatException(ErrorCode.NOT_FOUND, what + " not found");
    }
}
