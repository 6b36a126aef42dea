package io.parley.gateway.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Logback's own JSON encoder (one object per line), trimmed to what an operator reads, plus
 * {@code "date"}: the event's time in ISO-8601, UTC, because log tools and people do not all read
 * the epoch milliseconds in {@code "timestamp"}. The MDC ({@code "mdc"}) carries the connection
 * fields of {@link ConnectionMdc}.
 */
public final class ParleyJsonEncoder extends JsonEncoder {
    public static final String DATE_FIELD = "date";
    private static final DateTimeFormatter ISO_8601 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    public ParleyJsonEncoder() {
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithContext(false); // the logger context's name and birth time: the same on every line
        setWithArguments(false); // already in formattedMessage
        setWithFormattedMessage(true); // "message" stays the template, good for grouping
    }

    @Override
    protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
        sb.append(VALUE_SEPARATOR);
        appenderMember(sb, DATE_FIELD, ISO_8601.format(Instant.ofEpochMilli(event.getTimeStamp())));
    }
}
