package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;

import java.util.List;

/**
 * What travels through Redis to another node: an event, the recipients it is for, where it came
 * from and when it left (for the lag metric).
 *
 * @param from         node id of the publisher
 * @param sentAtMicros publisher's wall clock, epoch microseconds
 * @param recipients   the event's recipients (the receiving node delivers to those it hosts)
 * @param event        the chat event, serialized with its type name (see {@link BusCodec})
 */
public record BusFrame(int from, long sentAtMicros, List<String> recipients, ChatEvent event) {
    public BusFrame {
        recipients = List.copyOf(recipients);
    }
}
