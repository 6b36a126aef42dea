package io.parley.loadtest.bench;

import io.netty.util.ResourceLeakDetector;

import java.util.Arrays;

/**
 * One entry point, one figure per command: {@code mvn -q -pl loadtest exec:java -Dexec.args="<figure> key=value ..."}.
 * Figures: {@code durable} (the default, also when the first argument is already a key=value),
 * {@code fanout}, {@code pingpong} (durable round trips over many pairs), {@code idle}, {@code crossnode} (two nodes over Redis, beside one node),
 * {@code webhooks} (webhook delivery at a fixed 1,000 messages/s, beside the same load without webhooks), and the
 * invariant check {@code order} (chat ordering across three nodes and a Redis restart; exits
 * non-zero when a run fails).
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        // The runner's clients are not under test: tracking a sample of their buffers for leaks
        // (Netty's default) cost them CPU on every allocation it sampled.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        String figure = args.length == 0 || args[0].contains("=") ? "durable" : args[0];
        String[] rest = args.length == 0 || args[0].contains("=") ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (figure) {
            case "durable" -> DurableSendsBenchmark.main(rest);
            case "fanout" -> FanoutBenchmark.main(rest);
            case "pingpong" -> PingPongBenchmark.main(rest);
            case "idle" -> IdleSocketsBenchmark.main(rest);
            case "crossnode" -> CrossNodeBenchmark.main(rest);
            case "webhooks" -> WebhookBenchmark.main(rest);
            case "order" -> OrderCheck.main(rest);
            default -> throw new IllegalArgumentException("unknown figure '" + figure
                    + "'; one of: durable, fanout, pingpong, idle, crossnode, webhooks, order");
        }
    }
}
