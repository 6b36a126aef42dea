package io.parley.gateway.core;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CommitOutboxTest {
    private final EventLoop first = new DefaultEventLoop();
    private final EventLoop second = new DefaultEventLoop();
    private final CommitOutbox outbox = new CommitOutbox();
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopLoops() {
        first.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        second.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void outsideACommitTasksGoToTheirLoopAtOnceAndNothingIsDeferred() throws Exception {
        CommitOutbox.execute(first, () -> ran.add("task on " + (first.inEventLoop() ? "first" : "?")));
        assertThat(CommitOutbox.atCommitEnd(() -> ran.add("flush"))).isFalse();
        idle(first);
        assertThat(ran).containsExactly("task on first");
    }

    @Test
    void aCommitsTasksReachEachLoopTogetherInOrderWhenItsCompletionsAreDone() throws Exception {
        outbox.opening();
        CommitOutbox.execute(first, () -> ran.add("a1 on " + (first.inEventLoop() ? "first" : "?")));
        CommitOutbox.execute(second, () -> ran.add("b1 on " + (second.inEventLoop() ? "second" : "?")));
        first.execute(() -> ran.add("other work on first")); // not the commit's: runs before its tasks
        CommitOutbox.execute(first, () -> ran.add("a2 on " + (first.inEventLoop() ? "first" : "?")));
        idle(first);
        idle(second);
        assertThat(ran).containsExactly("other work on first");

        outbox.closing();
        idle(first);
        idle(second);
        assertThat(ran).containsSubsequence("other work on first", "a1 on first", "a2 on first")
                .contains("b1 on second").hasSize(4);
    }

    @Test
    void aFlushAskedForSeveralTimesRunsOnceAfterTheLoopTasksWereHandedOver() {
        AtomicInteger flushes = new AtomicInteger();
        Runnable flush = flushes::incrementAndGet;
        outbox.opening();
        assertThat(CommitOutbox.atCommitEnd(flush)).isTrue();
        assertThat(CommitOutbox.atCommitEnd(flush)).isTrue();
        assertThat(flushes).hasValue(0);
        outbox.closing();
        assertThat(flushes).hasValue(1);
        assertThat(CommitOutbox.atCommitEnd(flush)).as("the commit is over").isFalse();
    }

    @Test
    void aFailingTaskDoesNotStopTheOthers() throws Exception {
        outbox.opening();
        CommitOutbox.execute(first, () -> {
            throw new IllegalStateException("boom");
        });
        CommitOutbox.execute(first, () -> ran.add("after the failure"));
        outbox.closing();
        idle(first);
        assertThat(ran).containsExactly("after the failure");
    }

    @Test
    void aLoopThatShutDownGetsItsTasksRunHereSoTheyReleaseWhatTheyHold() throws Exception {
        first.shutdownGracefully(0, 0, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        outbox.opening();
        CommitOutbox.execute(first, () -> ran.add("released"));
        outbox.closing();
        assertThat(ran).containsExactly("released");
    }

    /** Waits until everything queued on {@code loop} so far has run. */
    private static void idle(EventLoop loop) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> done.complete(null));
        done.get(5, TimeUnit.SECONDS);
    }
}
