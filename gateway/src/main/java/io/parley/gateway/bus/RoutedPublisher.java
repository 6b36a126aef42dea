package io.parley.gateway.bus;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends bus frames to the other nodes that host their recipients, cheaply per frame:
 * <ul>
 *   <li>routed inside Redis: a script reads each frame's recipients' node sets ({@code SUNION})
 *   and publishes to every other node among them — no round trip between look-up and publish;</li>
 *   <li>batched: the frames waiting when a command can leave go in one script call, and each node
 *   gets one {@code PUBLISH} carrying all of that call's frames for it ({@link FrameBatch}).
 *   Frames submitted while the sender thread is busy wait for its next command: when Redis falls
 *   behind, batches grow and the cost per frame falls, instead of commands queueing until
 *   Lettuce refuses them.</li>
 * </ul>
 * Bounds: at most {@value #MAX_IN_FLIGHT} commands of at most {@value #MAX_BATCH_FRAMES} frames
 * are in flight, and at most {@code backlogCapacity} frames wait; past that {@link #publish}
 * fails at once with {@link BacklogFull} (the frame is in history: the caller keeps it) and
 * {@code whenDrained} runs once the backlog has emptied, for the caller to send what it kept.
 * One connection and one sender at a time keep order: frames leave in submission order.
 */
final class RoutedPublisher {
    static final int MAX_BATCH_FRAMES = 128;
    static final int MAX_IN_FLIGHT = 4;

    /**
     * KEYS: every frame's recipients' node sets, frame after frame. ARGV: this node's id, the
     * channel prefix, then per frame its number of keys and the frame (already length-prefixed).
     * Returns, per frame, the number of other nodes it went to.
     */
    private static final String ROUTE_AND_PUBLISH = """
            local self, prefix = ARGV[1], ARGV[2]
            local byNode, nodes, counts = {}, {}, {}
            local k = 1
            for i = 3, #ARGV, 2 do
              local last = k + tonumber(ARGV[i]) - 1
              local hosts = {}
              -- SUNION in slices: unpack() of very many keys would overflow Lua's stack
              for from = k, last, 1000 do
                for _, node in ipairs(redis.call('SUNION', unpack(KEYS, from, math.min(from + 999, last)))) do
                  hosts[node] = true
                end
              end
              k = last + 1
              local sent = 0
              for node in pairs(hosts) do
                if node ~= self then
                  if byNode[node] == nil then
                    byNode[node] = {}
                    nodes[#nodes + 1] = node
                  end
                  table.insert(byNode[node], ARGV[i + 1])
                  sent = sent + 1
                end
              end
              counts[#counts + 1] = sent
            end
            for _, node in ipairs(nodes) do
              redis.call('PUBLISH', prefix .. node, table.concat(byNode[node]))
            end
            return counts
            """;

    /** Thrown (as the failure of {@link #publish}) when {@code backlogCapacity} frames are already waiting. */
    static final class BacklogFull extends RuntimeException {
        BacklogFull(int capacity) {
            super("bus publish backlog full (" + capacity + " frames waiting for Redis)", null, false, false);
        }
    }

    private record Pending(String[] keys, byte[] prefixedFrame, CompletableFuture<Long> sent) {}

    private final StatefulRedisConnection<String, byte[]> connection;
    private final Executor sender;
    private final byte[] self;
    private final byte[] channelPrefix;
    private final int backlogCapacity;
    private final BusMetrics metrics;
    private final Queue<Pending> backlog = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Drain requests not yet served: only the thread that raised it from 0 runs the drain loop. */
    private final AtomicInteger drainRequests = new AtomicInteger();
    /** Set when a frame was refused; cleared when the backlog is empty again and whenDrained ran. */
    private final AtomicBoolean refused = new AtomicBoolean();
    private final Runnable whenDrained;

    /**
     * @param connection a connection only this publisher uses; its automatic flushing is turned off here
     * @param sender      runs the sends (not the caller's thread, so frames submitted meanwhile join the batch)
     * @param whenDrained runs (on a Lettuce thread) when the backlog has emptied after refusing frames
     */
    RoutedPublisher(StatefulRedisConnection<String, byte[]> connection, Executor sender, int nodeId,
                    String channelPrefix, int backlogCapacity, BusMetrics metrics, Runnable whenDrained) {
        this.connection = connection;
        this.sender = sender;
        this.self = Integer.toString(nodeId).getBytes(StandardCharsets.US_ASCII);
        this.channelPrefix = channelPrefix.getBytes(StandardCharsets.UTF_8);
        this.backlogCapacity = backlogCapacity;
        this.metrics = metrics;
        this.whenDrained = whenDrained;
        connection.setAutoFlushCommands(false);
        metrics.gauge("parley.bus.publish.backlog", "Events waiting to be published to Redis", waiting::get);
    }

    /**
     * @param prefixedFrame the frame with its length in front ({@link BusCodec#encodePrefixed}), as
     *                      the script concatenates frames
     * @return how many other nodes the frame was published to; fails when Redis is unreachable or behind
     */
    CompletableFuture<Long> publish(Collection<String> recipients, byte[] prefixedFrame) {
        if (waiting.incrementAndGet() > backlogCapacity) {
            waiting.decrementAndGet();
            notifyWhenDrained();
            return CompletableFuture.failedFuture(new BacklogFull(backlogCapacity));
        }
        String[] keys = recipients.stream().map(RedisUserRegistry::userNodes).toArray(String[]::new);
        Pending pending = new Pending(keys, prefixedFrame, new CompletableFuture<>());
        backlog.add(pending);
        requestDrain();
        return pending.sent();
    }

    /** How many frames the backlog would take now. */
    int room() {
        return Math.max(0, backlogCapacity - waiting.get());
    }

    /** Asks for a {@code whenDrained} call once the backlog is empty (at once if it is). */
    void notifyWhenDrained() {
        refused.set(true);
        requestDrain(); // a drain always follows the flag, so an already empty backlog reports too
    }

    private void requestDrain() {
        if (drainRequests.getAndIncrement() == 0) {
            sender.execute(this::drain);
        }
    }

    /** Runs on one thread at a time (see {@link #drainRequests}); sends while a command may leave. */
    private void drain() {
        int requests = drainRequests.get();
        while (true) {
            boolean wrote = false;
            while (inFlight.get() < MAX_IN_FLIGHT && !backlog.isEmpty()) {
                send(nextBatch());
                wrote = true;
            }
            if (wrote) {
                connection.flushCommands();
            }
            reportIfDrained();
            requests = drainRequests.addAndGet(-requests);
            if (requests == 0) {
                return;
            }
        }
    }

    private List<Pending> nextBatch() {
        List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH_FRAMES, waiting.get()));
        Pending next;
        while (batch.size() < MAX_BATCH_FRAMES && (next = backlog.poll()) != null) {
            batch.add(next);
        }
        waiting.addAndGet(-batch.size());
        return batch;
    }

    private void send(List<Pending> batch) {
        List<String> keys = new ArrayList<>();
        byte[][] args = new byte[2 + 2 * batch.size()][];
        args[0] = self;
        args[1] = channelPrefix;
        int a = 2;
        for (Pending pending : batch) {
            keys.addAll(List.of(pending.keys()));
            args[a++] = Integer.toString(pending.keys().length).getBytes(StandardCharsets.US_ASCII);
            args[a++] = pending.prefixedFrame();
        }
        metrics.publishBatch(batch.size());
        inFlight.incrementAndGet();
        CompletableFuture<List<Long>> counts;
        try {
            counts = connection.async().<List<Long>>eval(ROUTE_AND_PUBLISH, ScriptOutputType.MULTI,
                    keys.toArray(String[]::new), args).toCompletableFuture();
        } catch (RuntimeException e) { // e.g. rejected at once while disconnected
            counts = CompletableFuture.failedFuture(e);
        }
        counts.whenComplete((perFrame, failure) -> {
            inFlight.decrementAndGet();
            for (int i = 0; i < batch.size(); i++) {
                if (failure != null) {
                    batch.get(i).sent().completeExceptionally(failure);
                } else {
                    batch.get(i).sent().complete(perFrame.get(i));
                }
            }
            if (!backlog.isEmpty()) {
                requestDrain(); // room for another command
            } else {
                reportIfDrained();
            }
        });
    }

    private void reportIfDrained() {
        if (backlog.isEmpty() && refused.compareAndSet(true, false)) {
            whenDrained.run();
        }
    }
}
