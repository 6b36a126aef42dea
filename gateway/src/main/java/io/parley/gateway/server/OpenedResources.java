package io.parley.gateway.server;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a node start has opened so far, closed in reverse order when a later step fails: a start
 * that fails (a taken port, an unreachable Redis) leaves no threads, pools or connections behind.
 */
final class OpenedResources {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Remembers {@code resource} and hands it back. */
    <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    /** Closes everything, newest first; failures are added to {@code cause} as suppressed. */
    void closeAfter(Throwable cause) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }
}
