package io.parley.gateway.bus;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.protocol.DialectCodec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an event to this node's connections of its recipients. The event is encoded once per
 * dialect and the same bytes are shared by every recipient of that dialect
 * ({@code retainedDuplicate}), as the ideal broadcast does.
 *
 * <p>Slow consumers: a connection whose outbound buffer is over its limit (the channel is not
 * writable) is closed with {@link io.parley.gateway.websocket.CloseCodes#SLOW_CONSUMER} instead of
 * buffering without bound; it can reconnect and page what it missed from history.
 */
public final class LocalDelivery {
    private final SessionRegistry sessions;
    private final GatewayMetrics metrics;
    private final SlowConsumerPolicy slowConsumers;

    public LocalDelivery(SessionRegistry sessions, GatewayMetrics metrics, SlowConsumerPolicy slowConsumers) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.slowConsumers = slowConsumers;
    }

    public void deliver(Envelope envelope) {
        Map<DialectCodec, List<Session>> byDialect = new IdentityHashMap<>(4);
        for (String userId : envelope.recipients()) {
            sessions.forEachOf(userId, session -> {
                if (session.id() != envelope.originSessionId() && session.wants(envelope.event())) {
                    byDialect.computeIfAbsent(session.codec(), c -> new ArrayList<>()).add(session);
                }
            });
        }
        byDialect.forEach((codec, recipients) -> {
            byte[] encoded = codec.encodeEvent(envelope.event());
            if (encoded == null) {
                return;
            }
            ByteBuf shared = Unpooled.wrappedBuffer(encoded);
            int written = 0;
            try {
                for (Session session : recipients) {
                    if (slowConsumers.admit(session)) {
                        session.sendShared(shared, envelope.event());
                        metrics.frameOut(session.dialect());
                        written++;
                    }
                }
            } finally {
                shared.release();
            }
            metrics.deliveries(written);
        });
    }
}
