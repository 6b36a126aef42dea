package io.parley.gateway.bus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node takes part in a cluster: which Redis, which node id, and the bounds and deadlines of
 * the Redis bus. Immutable; {@link Builder#build()} fails fast on a bad value. Only the Redis URL
 * and the node id are deployment settings ({@code PARLEY_REDIS_URL}, {@code PARLEY_NODE_ID}); the
 * rest are tuned defaults, named here so every bound is visible in one place.
 */
public final class ClusterOptions {
    /** How long a message that arrives ahead of its predecessor waits for it before the gap is filled from history. */
    public static final Duration DEFAULT_REORDER_WINDOW = Duration.ofMillis(100);
    /**
     * A chat seen for the first time starts with the messages committed within this long before
     * the first one that arrived (they may still be on their way); older ones are history.
     */
    public static final Duration DEFAULT_FIRST_SIGHT_HORIZON = Duration.ofSeconds(2);
    /** Messages held for one chat while a gap is open; past it the gap is filled at once. */
    public static final int DEFAULT_MAX_HELD_PER_CHAT = 1_000;
    /** Messages held for all chats; past it new arrivals force their chat's gap to be filled or skipped. */
    public static final int DEFAULT_MAX_HELD_TOTAL = 100_000;
    /** Chats whose delivered sequence a node remembers (least recently used forgotten first). */
    public static final int DEFAULT_MAX_TRACKED_CHATS = 100_000;
    /**
     * A chat this node has not delivered for this long is seen afresh: a jump in its sequence means
     * its members were not here (they get history on resume), not that Redis lost something.
     */
    public static final Duration DEFAULT_STALE_CHAT_AFTER = Duration.ofSeconds(30);
    /** Most messages one gap fill reads from history. */
    public static final int DEFAULT_GAP_FILL_LIMIT = 500;
    /** Gap fills tried before the gap is skipped (history down too); each waits a reorder window more. */
    public static final int DEFAULT_GAP_FILL_ATTEMPTS = 5;
    /** Deadline of every Redis command. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Longest pause between reconnect attempts (they back off exponentially from 10 ms up to this). */
    public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** Redis commands queued in the client; past it a command fails at once instead of buffering. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 10_000;
    /** Events waiting for their publishing command while Redis is behind; past it a publish fails at once (kept to send again). */
    public static final int DEFAULT_PUBLISH_BACKLOG = 10_000;
    /** Publications kept while Redis is unreachable, sent again once it is back (oldest dropped first). */
    public static final int DEFAULT_REPUBLISH_CAPACITY = 10_000;
    /** After a reconnect, time for the other nodes to register their users again before republishing. */
    public static final Duration DEFAULT_REPUBLISH_DELAY = Duration.ofMillis(500);
    /** Liveness key lifetime: a node that stops refreshing it for this long is considered dead. */
    public static final Duration DEFAULT_NODE_TTL = Duration.ofSeconds(15);
    /** Shutdown: longest wait for publications still in flight. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final String redisUrl;
    private final int nodeId;
    private final Duration reorderWindow;
    private final Duration firstSightHorizon;
    private final int maxHeldPerChat;
    private final int maxHeldTotal;
    private final int maxTrackedChats;
    private final Duration staleChatAfter;
    private final int gapFillLimit;
    private final int gapFillAttempts;
    private final Duration commandTimeout;
    private final Duration maxReconnectDelay;
    private final int requestQueueSize;
    private final int publishBacklog;
    private final int republishCapacity;
    private final Duration republishDelay;
    private final Duration nodeTtl;
    private final Duration shutdownTimeout;

    private ClusterOptions(Builder b) {
        redisUrl = b.redisUrl;
        nodeId = b.nodeId;
        reorderWindow = b.reorderWindow;
        firstSightHorizon = b.firstSightHorizon;
        maxHeldPerChat = b.maxHeldPerChat;
        maxHeldTotal = b.maxHeldTotal;
        maxTrackedChats = b.maxTrackedChats;
        staleChatAfter = b.staleChatAfter;
        gapFillLimit = b.gapFillLimit;
        gapFillAttempts = b.gapFillAttempts;
        commandTimeout = b.commandTimeout;
        maxReconnectDelay = b.maxReconnectDelay;
        requestQueueSize = b.requestQueueSize;
        publishBacklog = b.publishBacklog;
        republishCapacity = b.republishCapacity;
        republishDelay = b.republishDelay;
        nodeTtl = b.nodeTtl;
        shutdownTimeout = b.shutdownTimeout;
    }

    public static Builder builder(String redisUrl, int nodeId) {
        return new Builder(redisUrl, nodeId);
    }

    public String redisUrl() { return redisUrl; }
    public int nodeId() { return nodeId; }
    public Duration reorderWindow() { return reorderWindow; }
    public Duration firstSightHorizon() { return firstSightHorizon; }
    public int maxHeldPerChat() { return maxHeldPerChat; }
    public int maxHeldTotal() { return maxHeldTotal; }
    public int maxTrackedChats() { return maxTrackedChats; }
    public Duration staleChatAfter() { return staleChatAfter; }
    public int gapFillLimit() { return gapFillLimit; }
    public int gapFillAttempts() { return gapFillAttempts; }
    public Duration commandTimeout() { return commandTimeout; }
    public Duration maxReconnectDelay() { return maxReconnectDelay; }
    public int requestQueueSize() { return requestQueueSize; }
    public int publishBacklog() { return publishBacklog; }
    public int republishCapacity() { return republishCapacity; }
    public Duration republishDelay() { return republishDelay; }
    public Duration nodeTtl() { return nodeTtl; }
    public Duration shutdownTimeout() { return shutdownTimeout; }

    @Override
    public String toString() {
        return "node_id=" + nodeId + " reorder_window=" + reorderWindow + " first_sight_horizon=" + firstSightHorizon
                + " max_held_per_chat=" + maxHeldPerChat
                + " max_held_total=" + maxHeldTotal + " max_tracked_chats=" + maxTrackedChats
                + " stale_chat_after=" + staleChatAfter + " gap_fill_limit=" + gapFillLimit
                + " command_timeout=" + commandTimeout + " request_queue_size=" + requestQueueSize
                + " publish_backlog=" + publishBacklog
                + " republish_capacity=" + republishCapacity + " node_ttl=" + nodeTtl;
    }

    /** Mutable only until {@link #build()}. */
    public static final class Builder {
        private final String redisUrl;
        private final int nodeId;
        private Duration reorderWindow = DEFAULT_REORDER_WINDOW;
        private Duration firstSightHorizon = DEFAULT_FIRST_SIGHT_HORIZON;
        private int maxHeldPerChat = DEFAULT_MAX_HELD_PER_CHAT;
        private int maxHeldTotal = DEFAULT_MAX_HELD_TOTAL;
        private int maxTrackedChats = DEFAULT_MAX_TRACKED_CHATS;
        private Duration staleChatAfter = DEFAULT_STALE_CHAT_AFTER;
        private int gapFillLimit = DEFAULT_GAP_FILL_LIMIT;
        private int gapFillAttempts = DEFAULT_GAP_FILL_ATTEMPTS;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;
        private int requestQueueSize = DEFAULT_REQUEST_QUEUE_SIZE;
        private int publishBacklog = DEFAULT_PUBLISH_BACKLOG;
        private int republishCapacity = DEFAULT_REPUBLISH_CAPACITY;
        private Duration republishDelay = DEFAULT_REPUBLISH_DELAY;
        private Duration nodeTtl = DEFAULT_NODE_TTL;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder(String redisUrl, int nodeId) {
            this.redisUrl = redisUrl;
            this.nodeId = nodeId;
        }

        public Builder reorderWindow(Duration v) { reorderWindow = v; return this; }
        public Builder firstSightHorizon(Duration v) { firstSightHorizon = v; return this; }
        public Builder maxHeldPerChat(int v) { maxHeldPerChat = v; return this; }
        public Builder maxHeldTotal(int v) { maxHeldTotal = v; return this; }
        public Builder maxTrackedChats(int v) { maxTrackedChats = v; return this; }
        public Builder staleChatAfter(Duration v) { staleChatAfter = v; return this; }
        public Builder gapFillLimit(int v) { gapFillLimit = v; return this; }
        public Builder gapFillAttempts(int v) { gapFillAttempts = v; return this; }
        public Builder commandTimeout(Duration v) { commandTimeout = v; return this; }
        public Builder maxReconnectDelay(Duration v) { maxReconnectDelay = v; return this; }
        public Builder requestQueueSize(int v) { requestQueueSize = v; return this; }
        public Builder publishBacklog(int v) { publishBacklog = v; return this; }
        public Builder republishCapacity(int v) { republishCapacity = v; return this; }
        public Builder republishDelay(Duration v) { republishDelay = v; return this; }
        public Builder nodeTtl(Duration v) { nodeTtl = v; return this; }
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }

        public ClusterOptions build() {
            List<String> problems = new ArrayList<>();
            check(problems, redisUrl != null && RedisLink.supports(redisUrl), "redis url must start with " + RedisLink.SCHEMES);
            check(problems, nodeId >= 0, "node id must be >= 0, got " + nodeId);
            check(problems, positive(reorderWindow), "reorder window must be > 0");
            check(problems, firstSightHorizon != null && !firstSightHorizon.isNegative(), "first sight horizon must be >= 0");
            check(problems, maxHeldPerChat >= 1, "max held per chat must be >= 1, got " + maxHeldPerChat);
            check(problems, maxHeldTotal >= maxHeldPerChat, "max held total must be >= max held per chat, got " + maxHeldTotal);
            check(problems, maxTrackedChats >= 16, "max tracked chats must be >= 16, got " + maxTrackedChats);
            check(problems, positive(staleChatAfter) && staleChatAfter.compareTo(reorderWindow) > 0,
                    "stale chat after must exceed the reorder window");
            check(problems, gapFillLimit >= 1, "gap fill limit must be >= 1, got " + gapFillLimit);
            check(problems, gapFillAttempts >= 1, "gap fill attempts must be >= 1, got " + gapFillAttempts);
            check(problems, positive(commandTimeout), "command timeout must be > 0");
            check(problems, maxReconnectDelay != null && maxReconnectDelay.toMillis() >= 10, "max reconnect delay must be >= 10ms");
            check(problems, requestQueueSize >= 16, "request queue size must be >= 16, got " + requestQueueSize);
            check(problems, publishBacklog >= 1, "publish backlog must be >= 1, got " + publishBacklog);
            check(problems, republishCapacity >= 0, "republish capacity must be >= 0, got " + republishCapacity);
            check(problems, republishDelay != null && !republishDelay.isNegative(), "republish delay must be >= 0");
            check(problems, nodeTtl != null && nodeTtl.toMillis() >= 1_000, "node ttl must be >= 1s");
            check(problems, positive(shutdownTimeout), "shutdown timeout must be > 0");
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid cluster options: " + String.join("; ", problems));
            }
            return new ClusterOptions(this);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        private static void check(List<String> problems, boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
        }
    }
}
