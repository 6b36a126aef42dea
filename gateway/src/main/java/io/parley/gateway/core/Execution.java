package io.parley.gateway.core;

import io.parley.protocol.command.Reply;

import java.util.concurrent.CompletableFuture;

/**
 * A command on its way: {@code ordered} completes once its effect has taken its place among the
 * requests of its connection (see {@link ChatService#start}), {@code reply} with its answer.
 * {@code ordered} never fails: a command that failed has taken its place too.
 */
public record Execution(CompletableFuture<Void> ordered, CompletableFuture<Reply> reply) {

    /** A command whose effect is in place when it is answered. */
    static Execution answered(CompletableFuture<Reply> reply) {
        return new Execution(reply.handle((r, failure) -> null), reply);
    }
}
