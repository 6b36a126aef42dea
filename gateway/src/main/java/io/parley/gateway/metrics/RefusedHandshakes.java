package io.parley.gateway.metrics;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last {@value #CAPACITY} refused WebSocket handshakes, for the node view: when, from which
 * address, on which path, why. Bounded: each refusal past the capacity drops the oldest one kept
 * (the counter {@code parley_handshakes_total} still counts them all). What is kept is bounded
 * too: the path without its query (which may carry a credential), cut to
 * {@value #MAX_PATH_LENGTH} characters; the reason is one of the handler's fixed words. Refusals
 * happen on every event loop, hence the lock; each holds it for an append.
 */
public final class RefusedHandshakes {
    /** How many refusals are kept; docs/operations.md ("Node view") says it. */
    public static final int CAPACITY = 50;
    /** Longest path kept, in characters: a request line may be kilobytes long. */
    public static final int MAX_PATH_LENGTH = 200;

    /**
     * One refused handshake.
     *
     * @param remoteAddress the peer's IP address (behind a load balancer, the balancer's)
     * @param status        the HTTP status it was answered with
     */
    public record Refusal(Instant time, String remoteAddress, String path, String reason, int status) {
    }

    private final Clock clock;
    private final ArrayDeque<Refusal> kept = new ArrayDeque<>(CAPACITY);

    public RefusedHandshakes(Clock clock) {
        this.clock = clock;
    }

    /** Keeps a refusal of a request for {@code path} (query and all: it is cut off here). */
    public void add(SocketAddress remote, String path, String reason, int status) {
        Refusal refusal = new Refusal(clock.instant(), address(remote), pathOnly(path), reason, status);
        synchronized (kept) {
            if (kept.size() == CAPACITY) {
                kept.removeFirst();
            }
            kept.addLast(refusal);
        }
    }

    /** The refusals kept, newest first. */
    public List<Refusal> recent() {
        List<Refusal> newestFirst;
        synchronized (kept) {
            newestFirst = new ArrayList<>(kept);
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** How many are kept now (at most {@link #CAPACITY}). */
    public int size() {
        synchronized (kept) {
            return kept.size();
        }
    }

    /** The IP address without a DNS look-up; whatever the transport says for other addresses. */
    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return remote == null ? "unknown" : remote.toString();
    }

    private static String pathOnly(String uri) {
        if (uri == null) {
            return "";
        }
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        int fragment = path.indexOf('#');
        path = fragment < 0 ? path : path.substring(0, fragment);
        return path.length() <= MAX_PATH_LENGTH ? path : path.substring(0, MAX_PATH_LENGTH);
    }
}
