package io.parley.gateway.bus;

/** Single-node bus: delivers straight to this node's sessions, in publish order. */
public final class LocalBus implements Bus {
    private final LocalDelivery delivery;

    public LocalBus(LocalDelivery delivery) {
        this.delivery = delivery;
    }

    @Override
    public void publish(Envelope envelope) {
        delivery.deliver(envelope);
    }

    @Override
    public void close() {
        // nothing held
    }
}
