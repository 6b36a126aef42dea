package io.parley.loadtest.bench;

import io.parley.loadtest.client.Tokens;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client process of the idle-sockets benchmark (started by {@link IdleSocketsBenchmark}, one
 * per share of the sockets, each from its own source address so no process nears its 20,000
 * file limit and no address runs out of ephemeral ports). Opens its sockets (at most 200
 * handshakes at a time), prints {@code held <ok> failed <n>}, holds them idle (answering pings)
 * until stdin closes or {@code holdSeconds} pass, then closes them and exits.
 *
 * <p>Arguments: {@code port first count sourceAddress holdSeconds parley|ideal}; the HS256 secret
 * comes in the environment ({@code PARLEY_JWT_SECRET}), not on the command line.
 */
public final class IdleClients {
    private IdleClients() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        InetAddress source = InetAddress.getByName(args[3]);
        long holdSeconds = Long.parseLong(args[4]);
        boolean parley = args[5].equals("parley");
        Tokens tokens = parley ? new Tokens(System.getenv("PARLEY_JWT_SECRET"), Duration.ofHours(2)) : null;

        AtomicInteger failed = new AtomicInteger();
        List<WsConnection> held = new ArrayList<>(count);
        Semaphore inFlight = new Semaphore(200);
        try (LoadClient client = new LoadClient(1)) {
            List<CompletableFuture<WsConnection>> pending = new ArrayList<>(count);
            for (int i = first; i < first + count; i++) {
                String user = "u" + i;
                URI uri = URI.create("ws://127.0.0.1:" + port + (parley ? "/ws?sid=" + user : "/"));
                inFlight.acquire();
                pending.add(client.connect(uri, source, parley ? tokens.user(user) : null, (c, payload, nanos) -> { })
                        .whenComplete((c, e) -> {
                            inFlight.release();
                            if (e != null && failed.getAndIncrement() == 0) {
                                System.err.println("first failure: " + e);
                            }
                        }));
            }
            for (CompletableFuture<WsConnection> p : pending) {
                try {
                    held.add(p.get(60, TimeUnit.SECONDS));
                } catch (Exception e) {
                    // counted above
                }
            }
            System.out.println("held " + held.size() + " failed " + failed.get());
            System.out.flush();
            Thread stdin = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for EOF
                    }
                } catch (java.io.IOException ignored) {
                    // parent gone: stop too
                }
            });
            stdin.setDaemon(true);
            stdin.start();
            stdin.join(holdSeconds * 1000);
            long open = held.stream().filter(WsConnection::isOpen).count();
            System.out.println("still open " + open);
            held.forEach(WsConnection::close);
            Thread.sleep(500);
        }
    }
}
