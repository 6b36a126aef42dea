package io.parley.gateway.limits;

/**
 * One connection's request rate: a {@link TokenBucket} of {@code message_burst} tokens refilled at
 * {@code max_messages_per_second}, one token per text message. A message without a token is
 * refused (429, the socket stays); a client that keeps sending through a whole burst's worth of
 * refusals in a row is abusive and is closed (1008). Created at a connection's first message: a
 * bucket that starts full then is the bucket that started full at the upgrade, and idle sockets
 * hold none. Event loop only.
 */
public final class MessageRateLimit {
    public static final String LIMIT = "message_rate";

    public enum Verdict { ALLOW, REFUSE, CLOSE }

    private final TokenBucket bucket;
    private final int abuseThreshold;
    private int refusedInARow;

    public MessageRateLimit(int perSecond, int burst, long nowNanos) {
        this.bucket = new TokenBucket(burst, perSecond, nowNanos);
        this.abuseThreshold = burst;
    }

    public Verdict check(long nowNanos) {
        if (bucket.tryTake(nowNanos)) {
            refusedInARow = 0;
            return Verdict.ALLOW;
        }
        return ++refusedInARow > abuseThreshold ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
