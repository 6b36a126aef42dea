package io.parley.loadtest.ideal;

import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The baseline and the load client together: a frame from one socket reaches every other socket once, intact. */
class IdealBroadcastServerTest {

    @Test
    void broadcastsEveryFrameToEveryOtherSocketOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        try (IdealBroadcastServer server = new IdealBroadcastServer("127.0.0.1", port);
             LoadClient client = new LoadClient(2)) {
            URI uri = URI.create("ws://127.0.0.1:" + port + "/");
            WsConnection sender = client.connect(uri, null, null, (c, payload, nanos) -> received.add("sender"))
                    .get(10, TimeUnit.SECONDS);
            List<WsConnection> receivers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                receivers.add(client.connect(uri, null, null,
                        (c, payload, nanos) -> received.add(WsConnection.text(payload))).get(10, TimeUnit.SECONDS));
            }
            String big = "x".repeat(65_536); // the largest frame the server takes: a 64-bit length header
            sender.send("hello");
            sender.send(big);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() < 40 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // anything surplus would arrive now
            assertThat(received).hasSize(40).doesNotContain("sender");
            assertThat(received.stream().filter("hello"::equals)).hasSize(20);
            assertThat(received.stream().filter(big::equals)).hasSize(20);
            receivers.forEach(WsConnection::close);
            sender.close();
        }
    }
}
