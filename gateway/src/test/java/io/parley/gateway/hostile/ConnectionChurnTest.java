package io.parley.gateway.hostile;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.parley.gateway.support.TestNode;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 connections opened and dropped abruptly (TCP reset): some before a byte, some in the
 * middle of the HTTP request, some after a completed upgrade in the middle of a frame. Afterwards
 * the node holds no more file descriptors, connections or heap than before, and Netty's leak
 * detector (paranoid in tests) has reported nothing.
 */
class ConnectionChurnTest {
    private static final int CONNECTIONS = 10_000;
    private static final int THREADS = 4;

    @Test
    void abruptlyDroppedConnectionsLeakNothing() throws Exception {
        List<String> leaks = new CopyOnWriteArrayList<>();
        Logger leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> leakAppender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                    leaks.add(event.getFormattedMessage());
                }
            }
        };
        leakAppender.start();
        leakLogger.addAppender(leakAppender);
        List<String> tailWarnings = new CopyOnWriteArrayList<>();
        Logger pipelineLogger = (Logger) LoggerFactory.getLogger(io.netty.channel.DefaultChannelPipeline.class);
        AppenderBase<ILoggingEvent> tailAppender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                tailWarnings.add(event.getFormattedMessage());
            }
        };
        tailAppender.start();
        pipelineLogger.addAppender(tailAppender);
        try (TestNode node = TestNode.start()) {
            churn(node, 300, 0); // warm up: classes, pools, JIT
            Snapshot before = settle(node, null);

            long start = System.nanoTime();
            AtomicInteger upgraded = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> parts = new java.util.ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = 1_000_000 + t * (CONNECTIONS / THREADS);
                    parts.add(pool.submit(() -> churn(node, CONNECTIONS / THREADS, offset)));
                }
                for (Future<Integer> part : parts) {
                    upgraded.addAndGet(part.get());
                }
            } finally {
                pool.shutdownNow();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(upgraded.get()).as("a third completed the upgrade").isGreaterThan(CONNECTIONS / 4);

            Snapshot after = settle(node, before);
            System.out.printf("churn: %d connections in %d ms; fds %d -> %d; connections %.0f -> %.0f; heap %d MiB -> %d MiB%n",
                    CONNECTIONS, took.toMillis(), before.fds, after.fds, before.connections, after.connections,
                    before.heap >> 20, after.heap >> 20);
            assertThat(after.connections).isEqualTo(before.connections);
            assertThat(after.fds).isLessThanOrEqualTo(before.fds + 8);
            assertThat(after.heap).isLessThan(before.heap + 48L * 1024 * 1024);
            assertThat(node.get("/ready").statusCode()).isEqualTo(200);
            assertThat(took).isLessThan(Duration.ofSeconds(45));
        } finally {
            // Leaks are reported when a leaked buffer is collected and a buffer is next allocated.
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
                ByteBufAllocator.DEFAULT.buffer(64).release();
            }
            leakLogger.detachAppender(leakAppender);
            pipelineLogger.detachAppender(tailAppender);
        }
        assertThat(leaks).as("Netty leak reports").isEmpty();
        assertThat(tailWarnings).as("exceptions nobody handled (a log line each: log flooding)").isEmpty();
    }

    /** Opens and resets {@code count} connections; returns how many were upgraded first. */
    private static int churn(TestNode node, int count, int offset) throws Exception {
        int upgraded = 0;
        for (int i = 0; i < count; i++) {
            try (Socket socket = new Socket("127.0.0.1", node.port())) {
                socket.setSoLinger(true, 0); // close = RST, the abrupt kind
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                switch (i % 3) {
                    case 0 -> { } // connect and vanish
                    case 1 -> out.write("GET /ws?sid=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgr".getBytes(StandardCharsets.US_ASCII));
                    default -> {
                        String user = "churn" + (offset + i);
                        out.write(("GET /ws?sid=" + user + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: access_token, "
                                + TestNode.token(user) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        byte[] status = new byte[12];
                        int read = socket.getInputStream().readNBytes(status, 0, 12);
                        if (read == 12 && new String(status, StandardCharsets.US_ASCII).endsWith("101")) {
                            upgraded++;
                        }
                        out.write(new byte[] {(byte) 0x81, (byte) 0xFE, 0x10}); // a frame header, cut short
                    }
                }
                out.flush();
            }
        }
        return upgraded;
    }

    private record Snapshot(long fds, double connections, long heap) {
    }

    /** Waits (bounded) for the node to close what was dropped, then measures after a GC. */
    private static Snapshot settle(TestNode node, Snapshot target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Snapshot now;
        do {
            Thread.sleep(200);
            System.gc();
            now = new Snapshot(openFds(), node.metric("parley_connections{"),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        } while (target != null && (now.connections > target.connections || now.fds > target.fds + 8)
                && System.nanoTime() < deadline);
        return now;
    }

    private static long openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
