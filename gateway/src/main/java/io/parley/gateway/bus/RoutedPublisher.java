package io.parley.gateway.bus;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.gateway.presence.RedisUserRegistry;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends bus frames to the other nodes that host their recipients, cheaply per frame:
 * <ul>
 *   <li>one command per frame: a script reads the recipients' node sets ({@code SUNION}) and
 *   {@code PUBLISH}es the frame once to every other node among them, inside Redis — no round trip
 *   between the look-up and the publish, and still at most one publish per node;</li>
 *   <li>written in batches: the connection is this class's own, with automatic flushing off; the
 *   first frame after a flush schedules the next one, so the frames a group commit completes
 *   together leave in one write (and one wake-up of the I/O thread) instead of one each.</li>
 * </ul>
 * One connection keeps order: frames leave in the order they were submitted.
 */
final class RoutedPublisher {
    /** KEYS: the recipients' node sets; ARGV: this node's id, the channel prefix, the frame. */
    private static final String ROUTE_AND_PUBLISH = """
            local sent = 0
            for _, node in ipairs(redis.call('SUNION', unpack(KEYS))) do
              if node ~= ARGV[1] then
                redis.call('PUBLISH', ARGV[2] .. node, ARGV[3])
                sent = sent + 1
              end
            end
            return sent
            """;

    private final StatefulRedisConnection<String, byte[]> connection;
    private final Executor flusher;
    private final byte[] self;
    private final byte[] channelPrefix;
    private final AtomicBoolean flushPending = new AtomicBoolean();

    /**
     * @param connection a connection only this publisher uses; its automatic flushing is turned off here
     * @param flusher    runs the flushes (not the caller's thread: a flush waits for more frames to join it)
     */
    RoutedPublisher(StatefulRedisConnection<String, byte[]> connection, Executor flusher, int nodeId,
                    String channelPrefix) {
        this.connection = connection;
        this.flusher = flusher;
        this.self = Integer.toString(nodeId).getBytes(StandardCharsets.US_ASCII);
        this.channelPrefix = channelPrefix.getBytes(StandardCharsets.UTF_8);
        connection.setAutoFlushCommands(false);
    }

    /** @return how many other nodes the frame was published to; fails when Redis is unreachable */
    CompletableFuture<Long> publish(Collection<String> recipients, byte[] frame) {
        String[] keys = recipients.stream().map(RedisUserRegistry::userNodes).toArray(String[]::new);
        CompletableFuture<Long> sent;
        try {
            sent = connection.async().<Long>eval(ROUTE_AND_PUBLISH, ScriptOutputType.INTEGER, keys, self,
                    channelPrefix, frame).toCompletableFuture();
        } catch (RuntimeException e) { // e.g. rejected at once while disconnected
            return CompletableFuture.failedFuture(e);
        }
        // Cleared before the flush drains the buffer: a frame buffered after the drain sees it
        // cleared and schedules a flush of its own, so none is left behind.
        if (flushPending.compareAndSet(false, true)) {
            flusher.execute(() -> {
                flushPending.set(false);
                connection.flushCommands();
            });
        }
        return sent;
    }
}
