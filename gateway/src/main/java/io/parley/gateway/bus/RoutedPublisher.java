package io.parley.gateway.bus;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

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
import java.util.function.Supplier;

/**
 * Sends bus frames to the other nodes that host their recipients, cheaply per frame:
 * <ul>
 *   <li>routed inside Redis: a script asks each other node's user set ({@link RedisKeys#nodeUsers})
 *   whether it holds any of a frame's recipients ({@code SMISMEMBER}) and publishes to the nodes
 *   that do: no round trip between look-up and publish, never a publish to a node without a
 *   recipient;</li>
 *   <li>batched: the frames waiting when a command can leave go in one call, and each node gets
 *   one publication carrying all of that call's frames for it ({@link FrameBatch}). Frames
 *   submitted while the sender thread is busy wait for its next command: when Redis falls behind,
 *   batches grow and the cost per frame falls, instead of commands queueing until Lettuce refuses
 *   them.</li>
 * </ul>
 * On one Redis (or Sentinel's primary) one call covers every node. In Redis Cluster each node's
 * set and channel live on that node's slot ({@link RedisKeys}), so a batch is one call per other
 * node, each on the master owning it, publishing with {@code SPUBLISH}.
 *
 * <p>Bounds: at most {@value #MAX_IN_FLIGHT} batches of at most {@value #MAX_BATCH_FRAMES} frames
 * are in flight, and at most {@code backlogCapacity} frames wait; past that {@link #publish}
 * fails at once with {@link BacklogFull} (the frame is in history: the caller keeps it) and
 * {@code whenDrained} runs once the backlog has emptied, for the caller to send what it kept.
 * One connection and one sender at a time keep order: frames reach each node in submission order.
 */
final class RoutedPublisher {
    static final int MAX_BATCH_FRAMES = 128;
    static final int MAX_IN_FLIGHT = 4;

    /**
     * KEYS: the user sets of the nodes to route to. ARGV: the publish command, the channels of
     * those nodes (in KEYS' order), then per frame its number of recipients, the frame (already
     * length-prefixed) and its recipients. Returns, per frame, the number of nodes it went to.
     */
    private static final String ROUTE_AND_PUBLISH = """
            local publish, nodes = ARGV[1], #KEYS
            local out, counts = {}, {}
            for n = 1, nodes do out[n] = {} end
            local a = nodes + 2
            while a <= #ARGV do
              local frame, first, last = ARGV[a + 1], a + 2, a + 1 + tonumber(ARGV[a])
              local sent = 0
              for n = 1, nodes do
                local hosts = false
                -- in slices: unpack() of very many arguments would overflow Lua's stack
                for from = first, last, 1000 do
                  for _, member in ipairs(redis.call('SMISMEMBER', KEYS[n], unpack(ARGV, from, math.min(from + 999, last)))) do
                    if member == 1 then hosts = true break end
                  end
                  if hosts then break end
                end
                if hosts then
                  table.insert(out[n], frame)
                  sent = sent + 1
                end
              end
              counts[#counts + 1] = sent
              a = last + 1
            end
            for n = 1, nodes do
              if #out[n] > 0 then redis.call(publish, ARGV[n + 1], table.concat(out[n])) end
            end
            return counts
            """;

    /** Thrown (as the failure of {@link #publish}) when {@code backlogCapacity} frames are already waiting. */
    static final class BacklogFull extends RuntimeException {
        BacklogFull(int capacity) {
            super("bus publish backlog full (" + capacity + " frames waiting for Redis)", null, false, false);
        }
    }

    private record Pending(byte[][] recipients, byte[] prefixedFrame, CompletableFuture<Long> sent) {}

    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final Executor sender;
    private final byte[] publishCommand;
    /** Each call routes to one node (Redis Cluster) or to every node at once. */
    private final boolean callPerNode;
    private final Supplier<List<Integer>> peers;
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
     * @param connection  a connection only this publisher uses; its automatic flushing is turned off here
     * @param sharded     Redis Cluster: one call per node, {@code SPUBLISH} to its sharded channel
     * @param sender      runs the sends (not the caller's thread, so frames submitted meanwhile join the batch)
     * @param peers       the other nodes of the cluster, as last known
     * @param whenDrained runs (on a Lettuce thread) when the backlog has emptied after refusing frames
     */
    RoutedPublisher(StatefulConnection<String, byte[]> connection, RedisClusterAsyncCommands<String, byte[]> commands,
                    boolean sharded, Executor sender, Supplier<List<Integer>> peers, int backlogCapacity,
                    BusMetrics metrics, Runnable whenDrained) {
        this.connection = connection;
        this.commands = commands;
        this.callPerNode = sharded;
        this.publishCommand = (sharded ? "SPUBLISH" : "PUBLISH").getBytes(StandardCharsets.US_ASCII);
        this.sender = sender;
        this.peers = peers;
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
        byte[][] users = recipients.stream().map(user -> user.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        Pending pending = new Pending(users, prefixedFrame, new CompletableFuture<>());
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
        metrics.publishBatch(batch.size());
        inFlight.incrementAndGet();
        List<Integer> nodes = peers.get();
        CompletableFuture<long[]> counts;
        if (nodes.isEmpty()) {
            counts = CompletableFuture.completedFuture(new long[batch.size()]);
        } else if (callPerNode) {
            List<CompletableFuture<List<Long>>> calls = new ArrayList<>(nodes.size());
            for (int node : nodes) {
                calls.add(route(List.of(node), batch));
            }
            counts = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .thenApply(all -> sum(batch.size(), calls));
        } else {
            CompletableFuture<List<Long>> call = route(nodes, batch);
            counts = call.thenApply(perFrame -> sum(batch.size(), List.of(call)));
        }
        counts.whenComplete((perFrame, failure) -> {
            inFlight.decrementAndGet();
            for (int i = 0; i < batch.size(); i++) {
                if (failure != null) {
                    batch.get(i).sent().completeExceptionally(failure);
                } else {
                    batch.get(i).sent().complete(perFrame[i]);
                }
            }
            if (!backlog.isEmpty()) {
                requestDrain(); // room for another command
            } else {
                reportIfDrained();
            }
        });
    }

    /** One call of the script: routes the batch's frames to {@code nodes}; per frame, to how many it went. */
    private CompletableFuture<List<Long>> route(List<Integer> nodes, List<Pending> batch) {
        String[] keys = new String[nodes.size()];
        int argCount = 1 + nodes.size();
        for (Pending pending : batch) {
            argCount += 2 + pending.recipients().length;
        }
        byte[][] args = new byte[argCount][];
        args[0] = publishCommand;
        int a = 1;
        for (int n = 0; n < nodes.size(); n++) {
            keys[n] = RedisKeys.nodeUsers(nodes.get(n));
            args[a++] = RedisKeys.nodeChannel(nodes.get(n)).getBytes(StandardCharsets.UTF_8);
        }
        for (Pending pending : batch) {
            args[a++] = Integer.toString(pending.recipients().length).getBytes(StandardCharsets.US_ASCII);
            args[a++] = pending.prefixedFrame();
            for (byte[] recipient : pending.recipients()) {
                args[a++] = recipient;
            }
        }
        try {
            return commands.<List<Long>>eval(ROUTE_AND_PUBLISH, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        } catch (RuntimeException e) { // e.g. rejected at once while disconnected
            return CompletableFuture.failedFuture(e);
        }
    }

    private static long[] sum(int frames, List<CompletableFuture<List<Long>>> calls) {
        long[] total = new long[frames];
        for (CompletableFuture<List<Long>> call : calls) {
            List<Long> perFrame = call.join();
            for (int i = 0; i < frames; i++) {
                total[i] += perFrame.get(i);
            }
        }
        return total;
    }

    private void reportIfDrained() {
        if (backlog.isEmpty() && refused.compareAndSet(true, false)) {
            whenDrained.run();
        }
    }
}
