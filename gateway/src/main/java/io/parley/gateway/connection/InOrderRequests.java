package io.parley.gateway.connection;

import io.netty.util.concurrent.EventExecutor;
import io.parley.gateway.core.Execution;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Per-socket FIFO: a connection's requests take effect in the order they were received, whatever
 * storage work each needs first (a chat missing from the cache is read from the store, a reply-to
 * checked there), so a request never overtakes the one before it.
 *
 * <p>The rule: a request starts only once the one before it has taken its place
 * ({@link Execution#ordered()}). A send has once it is in the history writer's queue, so sends
 * pipeline; a request that is not a send also waits until everything before it is answered, so it
 * sees their effects (a history page read after a send holds the send).
 *
 * <p>Event loop only; the caller reports each answer it wrote ({@link #answered()}), so an answer
 * never trails one to a later request. Bounded by the caller (at most
 * {@link ChatFrameHandler#MAX_IN_FLIGHT}).
 */
final class InOrderRequests {
    private record Waiting(boolean send, Supplier<Execution> start) {
    }

    private final EventExecutor loop;
    /** Usually empty, so sized for one (the default capacity weighed on every idle socket); grows when a client pipelines. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(1);
    /** The last request started has not taken its place yet. */
    private boolean placing;
    private int unanswered;

    InOrderRequests(EventExecutor loop) {
        this.loop = loop;
    }

    /** Starts the request now if nothing it must follow is pending, else when that is done. */
    void submit(boolean send, Supplier<Execution> start) {
        waiting.add(new Waiting(send, start));
        startWhatMay();
    }

    /** A request's answer has been written (not merely computed): what waited for it may start. */
    void answered() {
        unanswered--;
        startWhatMay();
    }

    private void startWhatMay() {
        while (!placing && !waiting.isEmpty() && (waiting.peek().send() || unanswered == 0)) {
            Execution execution = waiting.poll().start().get();
            unanswered++;
            if (!execution.ordered().isDone()) {
                placing = true;
                execution.ordered().whenComplete((done, failure) -> onLoop(() -> {
                    placing = false;
                    startWhatMay();
                }));
            }
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
