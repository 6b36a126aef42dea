package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;

import java.util.Set;

/**
 * An event on its way to the connections of its recipients.
 *
 * @param recipients      user ids to deliver to (the chat's members)
 * @param originSessionId the session that caused it, which already got its own reply and is
 *                        skipped; 0 when none
 */
public record Envelope(ChatEvent event, Set<String> recipients, long originSessionId) {
    public Envelope {
        recipients = Set.copyOf(recipients);
    }
}
