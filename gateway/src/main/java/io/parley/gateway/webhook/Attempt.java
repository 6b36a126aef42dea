package io.parley.gateway.webhook;

/**
 * How one POST of an event ended.
 *
 * @param reason {@code null} when delivered (a 2xx answer); else {@code status} (any other
 *               answer), {@code timeout} (no answer within {@code webhook_timeout}) or
 *               {@code connection} (refused, reset, TLS, DNS)
 * @param error  what went wrong, kept on the event for inspection; {@code null} when delivered
 */
public record Attempt(String reason, String error) {
    public static final String STATUS = "status";
    public static final String TIMEOUT = "timeout";
    public static final String CONNECTION = "connection";
    static final Attempt DELIVERED = new Attempt(null, null);

    public boolean delivered() {
        return reason == null;
    }
}
