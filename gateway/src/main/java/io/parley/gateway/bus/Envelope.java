package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;

import java.util.Set;

/**
 * An event on its way to the connections of its recipients.
 *
 * @param recipients      user ids to deliver to (the chat's members)
 * @param originSessionId the session that caused it, which gets {@code originAck} instead of the
 *                        event; 0 when none
 * @param originAck       answers the origin: run once, on the origin's event loop in the order of
 *                        its pushes when the origin is a connection of this node, else at once.
 *                        Never leaves this node.
 */
public record Envelope(ChatEvent event, Set<String> recipients, long originSessionId, Runnable originAck) {
    private static final Runnable NO_ACK = () -> { };

    public Envelope {
        recipients = Set.copyOf(recipients);
    }

    /** An event whose origin, if any, was answered already. */
    public Envelope(ChatEvent event, Set<String> recipients, long originSessionId) {
        this(event, recipients, originSessionId, NO_ACK);
    }

    /** The same event for other recipients. */
    Envelope to(Set<String> otherRecipients) {
        return new Envelope(event, otherRecipients, originSessionId, originAck);
    }
}
