package io.parley.gateway.core;

import io.parley.gateway.bus.Bus;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.storage.HistoryService;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What every part of the chat core shares: storage, the chat cache, ids, the bus, the clock, limits. */
public record CoreContext(HistoryService history, ChatDirectory directory, MessageIds ids, Bus bus, Clock clock,
                          int maxTextLength, GatewayMetrics metrics) {

    /** Microsecond precision: what the stores keep, so a reply equals what history returns later. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    public static ChatException notFound(String what) {
        return new ChatException(ErrorCode.NOT_FOUND, what + " not found");
    }
}
