package io.parley.gateway.bus;

/**
 * Carries committed events to every node that hosts a recipient. The in-process
 * {@link LocalBus} serves a single node; a Redis implementation serves a cluster.
 *
 * <p>Callers publish events of one chat in sequence order from one thread (the history writer
 * completes commits in order); implementations keep that order per chat.
 */
public interface Bus extends AutoCloseable {

    void publish(Envelope envelope);

    /** Whether events reach the other nodes now (readiness); always, for a single node. */
    default boolean connected() {
        return true;
    }

    @Override
    void close();
}
