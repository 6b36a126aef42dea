package io.parley.gateway.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.gateway.auth.Revocations;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.BusMetrics;
import io.parley.gateway.bus.ClusterNotices;
import io.parley.gateway.bus.ClusterOptions;
import io.parley.gateway.bus.ClusterView;
import io.parley.gateway.bus.DeadNodeSweep;
import io.parley.gateway.bus.LocalBus;
import io.parley.gateway.bus.LocalDelivery;
import io.parley.gateway.bus.PeerNotices;
import io.parley.gateway.bus.RedisBus;
import io.parley.gateway.bus.RedisLastSeen;
import io.parley.gateway.bus.RedisLink;
import io.parley.gateway.bus.RedisUserRegistry;
import io.parley.gateway.bus.SlowConsumerPolicy;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.core.ChatCache;
import io.parley.gateway.core.ChatDirectory;
import io.parley.gateway.core.MessageIds;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.LastSeenRecords;
import io.parley.gateway.session.LocalLastSeen;
import io.parley.gateway.session.LocalOnlineUsers;
import io.parley.gateway.session.OnlineUsers;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.session.UserCutOff;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.parley.gateway.config.Settings.CHAT_CACHE_SIZE;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.PRESENCE_LAST_SEEN_CAPACITY;
import static io.parley.gateway.config.Settings.PRESENCE_LAST_SEEN_TTL;
import static io.parley.gateway.config.Settings.REDIS_URL;

/**
 * The parts that differ between one node and a cluster, wired together: without
 * {@code redis_url} the in-process bus and presence; with it the Redis bus, the Redis user
 * registry (routing and presence) with last seen in Redis, a chat directory that hears joins and changes on other nodes,
 * and the notices that end a user's sockets on every node ({@code notices}, {@code cutOff}).
 * {@code deadNodeSweep} makes, once who announces presence exists, the sweep that removes dead
 * peers and reports their users gone offline (nothing on a single node). {@code cluster} is what the
 * node view shows of it all.
 */
record BusWiring(SessionRegistry sessions, Bus bus, ChatDirectory directory, OnlineUsers onlineUsers,
                 LastSeenRecords lastSeen, ClusterNotices notices, UserCutOff cutOff,
                 Function<Consumer<String>, AutoCloseable> deadNodeSweep, ClusterView cluster) {
    /** A single node has no peers to die. */
    private static final Function<Consumer<String>, AutoCloseable> NO_PEERS = wentOffline -> () -> { };

    static BusWiring create(ParleyConfig config, HistoryService history, GatewayMetrics metrics,
                            MeterRegistry registry, Clock clock, FlushBatch.PerLoop flushes, Revocations revocations) {
        if (config.get(REDIS_URL) == null) {
            LocalLastSeen lastSeen = new LocalLastSeen(config.get(PRESENCE_LAST_SEEN_CAPACITY), clock, registry);
            SessionRegistry sessions = new SessionRegistry(lastSeen);
            return new BusWiring(sessions, new LocalBus(delivery(sessions, metrics, flushes)),
                    new ChatDirectory(history, config.get(CHAT_CACHE_SIZE)), new LocalOnlineUsers(sessions), lastSeen,
                    ClusterNotices.NONE, cutOff(sessions, revocations), NO_PEERS, ClusterView.local(config.get(NODE_ID)));
        }
        ClusterOptions options = config.cluster();
        BusMetrics busMetrics = new BusMetrics(registry);
        RedisLink redis = RedisLink.connect(options, busMetrics, registry);
        try {
            RedisLastSeen lastSeen = new RedisLastSeen(redis, config.get(PRESENCE_LAST_SEEN_TTL), clock, busMetrics);
            RedisUserRegistry users = new RedisUserRegistry(redis, options, busMetrics, lastSeen);
            ChatCache cache = new ChatCache(config.get(CHAT_CACHE_SIZE));
            SessionRegistry sessions = new SessionRegistry(users);
            UserCutOff cutOff = cutOff(sessions, revocations);
            RedisBus bus = new RedisBus(redis, users, delivery(sessions, metrics, flushes), history, sessions, options,
                    busMetrics, clock, id -> MessageIds.nodeOf(id) == config.get(NODE_ID),
                    peerNotices(cache, cutOff, history));
            ChatDirectory directory = new ChatDirectory(history, cache, bus, bus);
            return new BusWiring(sessions, bus, directory, users, lastSeen, bus, cutOff,
                    wentOffline -> new DeadNodeSweep(redis, users, options, busMetrics, wentOffline),
                    ClusterView.redis(options, bus, users));
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    private static UserCutOff cutOff(SessionRegistry sessions, Revocations revocations) {
        return new UserCutOff(sessions, revocations, CloseCodes.ACCESS_ENDED);
    }

    /** What another node's announcements change here: the chat cache and this node's sockets. */
    private static PeerNotices peerNotices(ChatCache cache, UserCutOff cutOff, HistoryService history) {
        return new PeerNotices() {
            @Override
            public void memberJoined(String chatId, String userId) {
                cache.memberJoinedElsewhere(chatId, userId);
            }

            @Override
            public void chatChanged(String chatId) {
                cache.forget(chatId);
            }

            @Override
            public void missedAnnouncements() {
                cache.forgetAll();
                // Revocations are stored: those announced meanwhile apply now. A missed disconnect
                // is not stored and stays undone here (the user's token still holds).
                history.call("revocations", HistoryStore::revocations)
                        .thenAccept(stored -> stored.forEach(cutOff::revoke));
            }

            @Override
            public void cutOff(String userId, Instant issuedBefore) {
                if (issuedBefore == null) {
                    cutOff.disconnect(userId);
                } else {
                    cutOff.revoke(userId, issuedBefore);
                }
            }
        };
    }

    private static LocalDelivery delivery(SessionRegistry sessions, GatewayMetrics metrics,
                                          FlushBatch.PerLoop flushes) {
        return new LocalDelivery(sessions, metrics, new SlowConsumerPolicy(metrics), flushes);
    }
}
