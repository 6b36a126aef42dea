package io.parley.gateway.bus;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.parley.gateway.session.LastSeen;
import io.parley.gateway.session.LastSeenRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Last seen in a cluster: one key per user in Redis ({@link RedisKeys#userLastSeen}), holding
 * {@code "<epoch millis> <reason>"}. Written by the node where the user stops being shown (their
 * last visible connection there closed, or they hid) and by the node that removes a dead peer
 * ({@link RedisUserRegistry}); read by any node for presence snapshots.
 *
 * <p>Every command touches that one key, so it works alike on one Redis, Sentinel and Redis
 * Cluster. A write keeps the later of the stored and the new time (a late or repeated write never
 * moves it back) and sets the key's TTL, which bounds Redis' memory: a user not seen for that
 * long reads as unknown. Reading many users is one {@code MGET} (split by slot in Redis Cluster).
 */
public final class RedisLastSeen implements LastSeenRecords {
    private static final Logger log = LoggerFactory.getLogger(RedisLastSeen.class);
    /** Sets "ARGV[1] ARGV[2]" with TTL ARGV[3] ms unless the stored time is later; 1 if it wrote. */
    private static final String KEEP_LATEST = """
            local stored = redis.call('GET', KEYS[1])
            if stored and tonumber(string.match(stored, '^%d+')) > tonumber(ARGV[1]) then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3])
            return 1""";

    private final RedisLink redis;
    private final Duration ttl;
    private final Clock clock;
    private final BusMetrics metrics;

    /** @param ttl how long a user's last seen is kept after it was written */
    public RedisLastSeen(RedisLink redis, Duration ttl, Clock clock, BusMetrics metrics) {
        this.redis = redis;
        this.ttl = ttl;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The user stopped being shown now. Asynchronous; a failure is counted and logged, not retried. */
    void record(String userId, LastSeen.Reason reason) {
        long now = clock.millis();
        redis.async().<Long>eval(KEEP_LATEST, ScriptOutputType.INTEGER, new String[]{RedisKeys.userLastSeen(userId)},
                        bytes(Long.toString(now)), bytes(reason.wireName()), bytes(Long.toString(ttl.toMillis())))
                .whenComplete((wrote, failure) -> {
                    if (failure != null) {
                        metrics.error("last_seen");
                        log.debug("last seen of {} not written: {}", userId, failure.toString());
                    }
                });
    }

    @Override
    public CompletableFuture<Map<String, LastSeen>> of(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        List<String> users = List.copyOf(userIds);
        String[] keys = users.stream().map(RedisKeys::userLastSeen).toArray(String[]::new);
        return redis.async().mget(keys).toCompletableFuture().thenApply(values -> {
            Map<String, LastSeen> found = new HashMap<>();
            for (int i = 0; i < users.size(); i++) {
                KeyValue<String, byte[]> value = values.get(i);
                if (value.hasValue()) {
                    LastSeen seen = parse(new String(value.getValue(), StandardCharsets.UTF_8));
                    if (seen != null) {
                        found.put(users.get(i), seen);
                    }
                }
            }
            return found;
        });
    }

    /** {@code "<epoch millis> <reason>"}; {@code null} (unknown) for anything else. */
    static LastSeen parse(String stored) {
        int space = stored.indexOf(' ');
        try {
            return new LastSeen(Instant.ofEpochMilli(Long.parseLong(stored.substring(0, space))),
                    LastSeen.Reason.fromWireName(stored.substring(space + 1)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
