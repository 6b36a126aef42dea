package io.parley.loadtest.bench;

/**
 * Cross-node delivery (DESIGN.md target: p99 <= 15 ms at 10k msg/s through one Redis) — a
 * placeholder: the Redis cluster bus is being built on another branch, and this figure needs it.
 *
 * <p>The hook, for whoever lands the bus: start two {@link GatewayProcess} nodes with distinct
 * {@code PARLEY_NODE_ID}s, one {@code PARLEY_REDIS_URL} and one {@code PARLEY_JWT_SECRET}; put
 * senders on node A and receivers on node B of the same chats (direct chats need no setup; use the
 * {@code typed} dialect or {@code events}); stamp each message with {@link FanoutLoad#marker} and
 * reuse {@link FanoutLoad}'s receiver and {@code paced} loop (open loop, HdrHistogram, one clock)
 * at 10,000 msg/s; beside it, the same load with both ends on one node (the local-bus baseline),
 * so the cost of the hop is a ratio measured in one run. Print medians like {@link FanoutBenchmark}.
 */
final class CrossNodeBenchmark {
    private CrossNodeBenchmark() {
    }

    static void main(String[] args) {
        throw new UnsupportedOperationException("cross-node benchmark: needs the Redis cluster bus (another branch);"
                + " see the hook in CrossNodeBenchmark's documentation and BENCHMARKS.md");
    }
}
