package io.parley.gateway.bus;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.gateway.session.SessionRegistry;
import io.parley.storage.HistoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

/**
 * The cluster bus over Redis pub/sub.
 *
 * <p><b>Routing.</b> Each node subscribes to its own channel (and to the broadcast channels
 * {@code parley:joins} and {@code parley:notices}; names and slots in {@link RedisKeys}). Which
 * nodes host which users lives in Redis ({@link RedisUserRegistry}), written once per user's
 * first/last connection on a node. Publishing an event: this node's own recipients get it
 * directly; {@link RoutedPublisher}'s script asks the other nodes' user sets and publishes the
 * event once to each node that hosts a recipient: never once per member, never to a node without
 * one. Events waiting for Redis together share that script and one publication per node
 * ({@link FrameBatch}). A node announces its start and its stop, so the others route to it at
 * once, and no longer.
 *
 * <p><b>Order.</b> Whatever the path, messages reach this node's connections through the
 * {@link ChatSequencer}, which delivers each chat's messages by sequence, holds early arrivals
 * briefly and fills gaps from history. Publications of one publisher leave on one connection in
 * publish order.
 *
 * <p><b>Redis down or behind.</b> Local delivery does not depend on Redis and goes on.
 * Publications that fail are counted and kept (bounded) to be sent again: after a reconnect, once
 * the publish backlog that refused them ({@link RoutedPublisher.BacklogFull}) has drained, or
 * (a command that failed while connected, e.g. timed out) after the republish delay.
 * Lettuce reconnects and renews the subscriptions; this node then registers its users again (a restarted
 * Redis is empty) and, after a short delay for the other nodes to do the same, republishes.
 * Receivers drop what they already delivered, and anything still missing is filled from history
 * when the chat's next message arrives, or fetched by the client on resume.
 *
 * <p><b>Threads.</b> {@link #publish} is called by the history writer in commit order and never
 * blocks; Redis replies and subscriptions run on Lettuce's I/O threads.
 */
public final class RedisBus implements Bus, MemberJoins, ClusterNotices {
    private static final Logger log = LoggerFactory.getLogger(RedisBus.class);

    private final RedisLink redis;
    private final RedisUserRegistry users;
    private final SessionRegistry sessions;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final Clock clock;
    private final BusCodec codec = new BusCodec();
    private final ChatSequencer sequencer;
    private final RoutedPublisher publisher;
    private final JoinCatchUp joinCatchUp;
    private final String ownChannel;
    private final Deque<Envelope> republish = new ArrayDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** Channels subscribed at least once: a later confirmation is a renewal after a reconnect. */
    private final Set<String> subscribedChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final PeerNotices peers;

    /**
     * Subscribes and returns a running bus. Takes ownership of {@code redis} and {@code users}
     * (closed with the bus).
     *
     * @param committedHere true for the id of a message this node committed (and so publishes)
     * @param peers         told of each change another node announces (joins, changed chats, cut-off
     *                      users): the chat cache, whose member lists decide a message's recipients,
     *                      and the sockets here
     */
    public RedisBus(RedisLink redis, RedisUserRegistry users, LocalDelivery delivery, HistoryService history,
                    SessionRegistry sessions, ClusterOptions options, BusMetrics metrics, Clock clock,
                    LongPredicate committedHere, PeerNotices peers) {
        this.redis = redis;
        this.peers = peers;
        this.users = users;
        this.sessions = sessions;
        this.options = options;
        this.metrics = metrics;
        this.clock = clock;
        this.sequencer = new ChatSequencer(delivery::deliver, history, options, metrics, committedHere);
        this.joinCatchUp = new JoinCatchUp(sequencer, history, options, metrics, committedHere);
        this.ownChannel = RedisKeys.nodeChannel(options.nodeId());
        this.publisher = new RoutedPublisher(redis.publications(), redis.publicationCommands(), redis.sharded(),
                redis.worker(), users::peers, options.publishBacklog(), metrics, this::republishKept);
        metrics.gauge("parley.bus.republish.queue", "Publications waiting for Redis to come back", this::republishDepth);
        redis.subscription().start(new Inbox(), ownChannel, RedisKeys.JOINS_CHANNEL, RedisKeys.NOTICES_CHANNEL);
        redis.onReconnect(this::reconnected);
        broadcast(PeerNotice.node(options.nodeId(), PeerNotice.NodeChange.STARTED))
                .orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        log.info("cluster bus on {} subscribed to {} ({})", RedisLink.redacted(options.redisUrl()), ownChannel, options);
    }

    @Override
    public void publish(Envelope envelope) {
        sequencer.accept(envelope); // this node's own recipients: no Redis in the way
        if (!envelope.recipients().isEmpty()) {
            send(envelope, micros(clock.instant()));
        }
    }

    private void send(Envelope envelope, long sentAtMicros) {
        inFlight.incrementAndGet();
        // Encoded before knowing whether another node hosts a recipient: the routing happens in
        // Redis, in the same step as the publish (RoutedPublisher).
        byte[] frame = codec.encodePrefixed(new BusFrame(options.nodeId(), sentAtMicros,
                List.copyOf(envelope.recipients()), envelope.event()));
        publisher.publish(envelope.recipients(), frame).whenComplete((nodes, failure) -> {
            inFlight.decrementAndGet();
            if (failure != null) {
                metrics.error("publish");
                keepForRepublish(envelope); // sent again after a reconnect, or once the backlog drained
                if (!(failure instanceof RoutedPublisher.BacklogFull)) {
                    retryLater(); // e.g. a timeout while connected: no reconnect is coming to resend it
                }
            } else {
                metrics.published(nodes.intValue());
            }
        });
    }

    private void keepForRepublish(Envelope envelope) {
        if (options.republishCapacity() == 0 || closed.get()) {
            metrics.republishDropped();
            return;
        }
        synchronized (republish) {
            if (republish.size() >= options.republishCapacity()) {
                republish.pollFirst();
                metrics.republishDropped();
            }
            republish.addLast(envelope);
        }
    }

    /** Republishes after the republish delay if the connection is up then (if not, the reconnect will). */
    private void retryLater() {
        if (retryScheduled.compareAndSet(false, true)) {
            CompletableFuture.delayedExecutor(options.republishDelay().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                retryScheduled.set(false);
                if (redis.isUp() && !closed.get()) {
                    republishKept();
                }
            });
        }
    }

    private int republishDepth() {
        synchronized (republish) {
            return republish.size();
        }
    }

    /** Redis is back (maybe empty): register our users again, then resend what failed. */
    private void reconnected() {
        users.restore(sessions::users, sessions::hiddenUsers).whenComplete((ok, failure) -> CompletableFuture.delayedExecutor(
                options.republishDelay().toMillis(), TimeUnit.MILLISECONDS).execute(this::republishKept));
    }

    /**
     * Sends what was kept, oldest first, as far as the publisher has room; the rest stays kept, and
     * the publisher calls again once its backlog has drained.
     */
    private void republishKept() {
        List<Envelope> batch = new ArrayList<>();
        synchronized (republish) {
            int room = publisher.room();
            while (!republish.isEmpty() && batch.size() < room) {
                batch.add(republish.pollFirst());
            }
            if (!republish.isEmpty()) {
                publisher.notifyWhenDrained();
            }
        }
        if (!batch.isEmpty()) {
            log.info("republishing {} event(s) Redis did not take", batch.size());
        }
        long now = micros(clock.instant());
        for (Envelope envelope : batch) {
            metrics.republished();
            send(envelope, now);
        }
    }

    /**
     * {@link MemberJoins}: broadcast, so other nodes' member caches include the new member, and
     * catch up here on what they route without them until then ({@link JoinCatchUp}).
     */
    @Override
    public CompletableFuture<Void> joined(String chatId, String userId) {
        return CompletableFuture.allOf(joinCatchUp.joined(chatId, userId), broadcastJoin(chatId, userId));
    }

    private CompletableFuture<Void> broadcastJoin(String chatId, String userId) {
        return redis.async().publish(RedisKeys.JOINS_CHANNEL, codec.encode(new MemberJoin(options.nodeId(), chatId, userId)))
                .toCompletableFuture()
                .handle((receivers, failure) -> {
                    if (failure != null) {
                        metrics.error("join");
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<Void> chatChanged(String chatId) {
        return broadcast(PeerNotice.chatChanged(options.nodeId(), chatId));
    }

    @Override
    public CompletableFuture<Void> cutOff(String userId, Instant issuedBefore) {
        return broadcast(PeerNotice.cutOff(options.nodeId(), userId,
                issuedBefore == null ? null : issuedBefore.toEpochMilli()));
    }

    private CompletableFuture<Void> broadcast(PeerNotice notice) {
        return redis.async().publish(RedisKeys.NOTICES_CHANNEL, codec.encode(notice)).toCompletableFuture()
                .handle((receivers, failure) -> {
                    if (failure != null) {
                        metrics.error("notice");
                        throw new ChatException(ErrorCode.UNAVAILABLE, "done on this node, but the other nodes"
                                + " were not told (Redis: " + failure.getMessage() + "); ask again");
                    }
                    return null;
                });
    }

    /** Events the other nodes sent here; runs on a Lettuce I/O thread. */
    private final class Inbox extends RedisPubSubAdapter<String, byte[]> {
        @Override
        public void message(String channel, byte[] message) {
            try {
                if (ownChannel.equals(channel)) {
                    long now = micros(clock.instant());
                    FrameBatch.forEach(message, slice -> {
                        BusFrame frame = codec.decodeFrame(slice.bytes(), slice.offset(), slice.length());
                        metrics.received(frame.sentAtMicros(), now);
                        // Origin session 0: the sender's own connection is on the publishing node.
                        sequencer.accept(new Envelope(frame.event(), Set.copyOf(frame.recipients()), 0));
                    });
                } else if (RedisKeys.JOINS_CHANNEL.equals(channel)) {
                    MemberJoin join = codec.decodeJoin(message);
                    if (join.from() != options.nodeId()) {
                        peers.memberJoined(join.chatId(), join.userId());
                    }
                } else if (RedisKeys.NOTICES_CHANNEL.equals(channel)) {
                    PeerNotice notice = codec.decodeNotice(message);
                    if (notice.from() != options.nodeId()) {
                        accept(notice);
                    }
                }
            } catch (RuntimeException e) {
                metrics.error("decode");
                log.warn("dropped a bad frame on {}: {}", channel, e.toString());
            }
        }

        /** Redis Cluster: this node's channel is sharded. */
        @Override
        public void smessage(String channel, byte[] message) {
            message(channel, message);
        }

        @Override
        public void ssubscribed(String channel, long count) {
            subscribed(channel, count);
        }

        @Override
        public void subscribed(String channel, long count) {
            if (!subscribedChannels.add(channel)) {
                metrics.resubscribed();
                log.info("subscription to {} renewed", channel);
                if (RedisKeys.NOTICES_CHANNEL.equals(channel) || RedisKeys.JOINS_CHANNEL.equals(channel)) {
                    peers.missedAnnouncements();
                }
            }
        }
    }

    private void accept(PeerNotice notice) {
        if (notice.node() != null) {
            users.peerChanged(notice.from(), notice.node());
        } else if (notice.chatId() != null) {
            peers.chatChanged(notice.chatId());
        } else if (notice.userId() != null) {
            peers.cutOff(notice.userId(), notice.issuedBeforeMillis() == null ? null
                    : Instant.ofEpochMilli(notice.issuedBeforeMillis()));
        }
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    /** The Redis connections are up and subscribed: publications leave and other nodes' events arrive. */
    @Override
    public boolean connected() {
        return redis.isUp() && redis.subscription().isSubscribed();
    }

    /**
     * Called after the history writer drained: waits (bounded) for publications still in flight,
     * then leaves the cluster (this node's users are removed from Redis) and disconnects.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            log.warn("{} publication(s) still in flight at shutdown; receivers fill them from history", inFlight.get());
        }
        sequencer.close();
        if (redis.isUp()) {
            broadcast(PeerNotice.node(options.nodeId(), PeerNotice.NodeChange.STOPPING)).exceptionally(failure -> null);
        }
        try {
            users.close();
        } finally {
            redis.close();
        }
    }
}
