package io.parley.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback between one node and Redis, so a test can break that one link: cut it
 * (every connection closed, new ones refused for a while) or slow it (every chunk held back).
 * Threads are daemons; {@link #close()} stops everything.
 */
public final class LinkProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long refuseUntilNanos;
    private volatile long slowUntilNanos;
    private volatile long delayMillis;
    private volatile boolean closed;

    public LinkProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("link-proxy-accept", this::acceptLoop).start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every connection now and refuses new ones for {@code duration}. */
    public void cut(Duration duration) {
        refuseUntilNanos = System.nanoTime() + duration.toNanos();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** Holds every chunk back by {@code delay}, in both directions, for {@code duration}. */
    public void slow(Duration delay, Duration duration) {
        delayMillis = delay.toMillis();
        slowUntilNanos = System.nanoTime() + duration.toNanos();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (System.nanoTime() < refuseUntilNanos) {
                    closeQuietly(client);
                    continue;
                }
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                open.add(client);
                open.add(target);
                daemon("link-proxy-up", () -> pump(client, target)).start();
                daemon("link-proxy-down", () -> pump(target, client)).start();
            } catch (IOException e) {
                // Redis down (connection refused) or the proxy closing: the node's client retries
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (System.nanoTime() < slowUntilNanos) {
                    Thread.sleep(delayMillis);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed: close the other
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(LinkProxy::closeQuietly);
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
