package io.parley.gateway.bus;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.session.SharedFrame;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.command.ChatEvent;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes an event to this node's connections of its recipients. The event is encoded once per
 * dialect, into a {@link SharedFrame} whose bytes every recipient of that dialect shares
 * ({@code retainedDuplicate}), as the ideal broadcast does.
 *
 * <p>Recipients are grouped by event loop and each loop gets one task that writes to all of its
 * connections, instead of one cross-thread task per connection: a push to a 1,000-member chat
 * costs a task per event loop, not a thousand. The tasks go through the loop's
 * {@link EventLoopOutbox}, so every connection sees its pushes — and the answer to its own send,
 * {@link Envelope#originAck} — in the order they were delivered here, whichever thread delivered
 * them.
 *
 * <p>Slow consumers: a connection whose outbound buffer is over its limit (the channel is not
 * writable) is closed with {@link io.parley.gateway.websocket.CloseCodes#SLOW_CONSUMER} instead of
 * buffering without bound; it can reconnect and page what it missed from history.
 */
public final class LocalDelivery {
    private final SessionRegistry sessions;
    private final GatewayMetrics metrics;
    private final SlowConsumerPolicy slowConsumers;
    private final FlushBatch.PerLoop flushes;
    private final Map<EventLoop, EventLoopOutbox> outboxes = new ConcurrentHashMap<>();

    public LocalDelivery(SessionRegistry sessions, GatewayMetrics metrics, SlowConsumerPolicy slowConsumers,
                         FlushBatch.PerLoop flushes) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.slowConsumers = slowConsumers;
        this.flushes = flushes;
    }

    /** Called for each chat's events in the chat's order (by the {@link ChatSequencer} on a cluster). */
    public void deliver(Envelope envelope) {
        // Plain loops, no lambda per member and lists sized once: this visits every member of the
        // chat for every message, and its garbage is what a big chat's GC pauses are made of.
        int members = envelope.recipients().size();
        Map<DialectCodec, List<Session>> byDialect = new IdentityHashMap<>(4);
        Session origin = null; // found among the recipients' sessions: the sender is a member
        for (String userId : envelope.recipients()) {
            for (Session session : sessions.sessionsOf(userId)) {
                if (session.id() == envelope.originSessionId()) {
                    origin = session;
                } else if (session.wants(envelope.event())) {
                    List<Session> sameDialect = byDialect.get(session.codec());
                    if (sameDialect == null) {
                        sameDialect = new ArrayList<>(members);
                        byDialect.put(session.codec(), sameDialect);
                    }
                    sameDialect.add(session);
                }
            }
        }
        byDialect.forEach((codec, recipients) -> {
            byte[] encoded = codec.encodeEvent(envelope.event());
            if (encoded == null) {
                return;
            }
            SharedFrame shared = new SharedFrame(Unpooled.wrappedBuffer(encoded));
            try {
                byEventLoop(recipients).forEach((loop, onLoop) -> writeOn(loop, onLoop, shared, envelope.event()));
            } finally {
                shared.release();
            }
        });
        acknowledgeOrigin(envelope, origin);
    }

    private void acknowledgeOrigin(Envelope envelope, Session origin) {
        if (origin == null) {
            // REST, a connection gone, or one that receives none of the chat's pushes here:
            // nothing to keep in order with.
            envelope.originAck().run();
        } else {
            outbox(origin.channel().eventLoop()).submit(envelope.originAck());
        }
    }

    private static Map<EventLoop, List<Session>> byEventLoop(List<Session> recipients) {
        Map<EventLoop, List<Session>> byLoop = new IdentityHashMap<>(4);
        for (Session session : recipients) {
            EventLoop loop = session.channel().eventLoop();
            List<Session> onLoop = byLoop.get(loop);
            if (onLoop == null) {
                onLoop = new ArrayList<>(recipients.size());
                byLoop.put(loop, onLoop);
            }
            onLoop.add(session);
        }
        return byLoop;
    }

    private void writeOn(EventLoop loop, List<Session> onLoop, SharedFrame shared, ChatEvent event) {
        SharedFrame reference = shared.retain(); // the task's own: the caller releases its reference at once
        outbox(loop).submit(() -> {
            try {
                writeAll(onLoop, reference, event);
            } finally {
                reference.release();
            }
        });
    }

    private EventLoopOutbox outbox(EventLoop loop) {
        EventLoopOutbox outbox = outboxes.get(loop);
        return outbox != null ? outbox : outboxes.computeIfAbsent(loop, l -> new EventLoopOutbox(l, flushes.of(l)));
    }

    /** {@code onLoop}: connections of one dialect on the calling event loop. */
    private void writeAll(List<Session> onLoop, SharedFrame shared, ChatEvent event) {
        int written = 0;
        for (Session session : onLoop) {
            if (slowConsumers.admit(session)) {
                session.sendShared(shared, event);
                written++;
            }
        }
        metrics.framesOut(onLoop.get(0).dialect(), written);
        metrics.deliveries(written);
    }
}
