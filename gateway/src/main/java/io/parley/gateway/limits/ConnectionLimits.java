package io.parley.gateway.limits;

import io.netty.channel.Channel;
import io.parley.gateway.metrics.GatewayMetrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per source address (counted from accept, before any byte is read) and open
 * WebSocket sessions per user (counted from the upgrade). A slot is taken with {@code tryAcquire*}
 * and given back when the channel closes; keys at zero are removed, so the maps only hold what is
 * open. Refusals are counted in {@code parley_limit_rejections_total}. Thread-safe.
 */
public final class ConnectionLimits {
    public static final String PER_USER = "connections_per_user";
    public static final String PER_ADDRESS = "connections_per_address";

    private final int maxPerUser;
    private final int maxPerAddress;
    private final GatewayMetrics metrics;
    private final Map<String, Integer> users = new ConcurrentHashMap<>();
    /** By {@link InetAddress}, which the channel holds anyway: no key of its own per connection. */
    private final Map<Object, Integer> addresses = new ConcurrentHashMap<>();

    public ConnectionLimits(int maxPerUser, int maxPerAddress, GatewayMetrics metrics) {
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.metrics = metrics;
    }

    public int maxPerUser() {
        return maxPerUser;
    }

    /** Takes a slot for the channel's remote address until it closes; false (and counted) when full. */
    public boolean admitAddress(Channel channel) {
        Object address = addressOf(channel.remoteAddress());
        if (!tryAcquire(addresses, address, maxPerAddress)) {
            metrics.limitRejected(PER_ADDRESS);
            return false;
        }
        channel.closeFuture().addListener(f -> release(addresses, address));
        return true;
    }

    /** Takes a slot for the user until the channel closes; false (and counted) when the user has all of them. */
    public boolean admitUser(Channel channel, String userId) {
        if (!tryAcquire(users, userId, maxPerUser)) {
            metrics.limitRejected(PER_USER);
            return false;
        }
        channel.closeFuture().addListener(f -> release(users, userId));
        return true;
    }

    private static Object addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress() : remote;
    }

    private static <K> boolean tryAcquire(Map<K, Integer> counts, K key, int max) {
        boolean[] acquired = {false};
        counts.compute(key, (k, open) -> {
            int n = open == null ? 0 : open;
            if (n >= max) {
                return open;
            }
            acquired[0] = true;
            return n + 1;
        });
        return acquired[0];
    }

    private static <K> void release(Map<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (k, open) -> open <= 1 ? null : open - 1);
    }
}
