package io.parley.gateway.auth;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounds of {@link JwksKeySet}: a slow issuer costs a lookup the miss wait, refetches are rate-limited. */
class JwksKeySetTest {
    private static final Duration MISS_WAIT = Duration.ofMillis(200);
    private HttpServer issuer;
    private ExecutorService handlers;
    private final AtomicInteger fetches = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hang;

    @BeforeEach
    void startIssuer() throws Exception {
        handlers = Executors.newCachedThreadPool();
        issuer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer.setExecutor(handlers);
        issuer.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            if (hang) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        issuer.start();
    }

    @AfterEach
    void stopIssuer() {
        release.countDown();
        issuer.stop(0);
        handlers.shutdownNow();
    }

    private String url() {
        return "http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks.json";
    }

    @Test
    void aHangingIssuerCostsALookupOnlyTheMissWait() {
        try (JwksKeySet keys = JwksKeySet.load(url(), MISS_WAIT)) {
            hang = true;
            long start = System.nanoTime();
            assertThatThrownBy(() -> keys.key("rotated")).isInstanceOf(AuthException.class)
                    .hasMessageContaining("key id");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(MISS_WAIT).isLessThan(MISS_WAIT.multipliedBy(5));
            // The fetch still in flight is shared, not repeated.
            assertThatThrownBy(() -> keys.key("rotated")).isInstanceOf(AuthException.class);
            assertThat(fetches.get()).isEqualTo(2);
        }
    }

    @Test
    void madeUpKeyIdsFetchAtMostTheBurst() {
        try (JwksKeySet keys = JwksKeySet.load(url(), MISS_WAIT)) {
            for (int i = 0; i < JwksKeySet.REFETCH_BURST + 5; i++) {
                String kid = "made-up-" + i;
                assertThatThrownBy(() -> keys.key(kid)).isInstanceOf(AuthException.class);
            }
            assertThat(fetches.get()).isEqualTo(1 + JwksKeySet.REFETCH_BURST);
        }
    }

    @Test
    void anUnreachableIssuerAtStartUpIsNotFatal() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (JwksKeySet keys = JwksKeySet.load("http://127.0.0.1:" + closedPort + "/jwks.json", MISS_WAIT)) {
            assertThat(keys.keyIds()).isEmpty();
            assertThatThrownBy(() -> keys.key("a")).isInstanceOf(AuthException.class);
        }
    }
}
