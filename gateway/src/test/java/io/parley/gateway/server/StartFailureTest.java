package io.parley.gateway.server;

import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.parley.gateway.config.Settings.BIND_ADDRESS;
import static io.parley.gateway.config.Settings.DATA_DIR;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node that cannot start says why, and leaves nothing running behind it. */
class StartFailureTest {

    @Test
    void aTakenPortFailsTheStartAndClosesWhatWasOpened(@TempDir Path data) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Set<Thread> before = liveThreads();
            ParleyConfig config = ParleyConfig.builder().set(PORT, taken.getLocalPort()).set(BIND_ADDRESS, "127.0.0.1")
                    .set(JWT_SECRET, TestNode.SECRET).set(DATA_DIR, data).build();

            assertThatThrownBy(() -> ParleyServer.start(config))
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());

            assertThat(strayThreadsAfter(before, Duration.ofSeconds(10)))
                    .as("threads the failed start left running").isEmpty();
        }
    }

    @Test
    void theJarExitsWithTheReasonOnATakenPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             NodeProcess node = NodeProcess.launch(Map.of(), List.of(), taken.getLocalPort())) {
            assertThat(node.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(node.tail()).contains("Parley cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    /** Threads started since {@code before} that are still alive after {@code grace}, by name. */
    private static Set<String> strayThreadsAfter(Set<Thread> before, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        Set<String> stray;
        do {
            stray = liveThreads().stream().filter(t -> !before.contains(t))
                    .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool"))
                    .map(Thread::getName).collect(Collectors.toSet());
            if (stray.isEmpty()) {
                return stray;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return stray;
    }
}
