package io.parley.gateway.logging;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.MDC;

import java.util.Map;

/**
 * The MDC of a connection's log lines: {@value #CONNECTION_ID} (Netty's channel id, as in the
 * channel's own {@code toString}), {@value #NODE_ID}, and, once known, {@value #DIALECT} and
 * {@value #USER_ID}. An event loop serves many connections, so the MDC is set around one log call
 * and restored right after it, never left on the thread.
 */
public final class ConnectionMdc {
    public static final String CONNECTION_ID = "connection_id";
    public static final String NODE_ID = "node_id";
    public static final String DIALECT = "dialect";
    public static final String USER_ID = "user_id";
    /** Set once on the server channel: every accepted connection finds its node there, at no cost per connection. */
    public static final AttributeKey<Integer> NODE = AttributeKey.valueOf("parley.nodeId");

    private ConnectionMdc() {
    }

    /** Runs {@code logCall} with the connection's MDC; {@code dialect} and {@code userId} may be null (not known yet). */
    public static void run(Channel channel, String dialect, String userId, Runnable logCall) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        try {
            MDC.put(CONNECTION_ID, channel.id().asShortText());
            Channel server = channel.parent();
            if (server != null && server.hasAttr(NODE)) {
                MDC.put(NODE_ID, String.valueOf(server.attr(NODE).get()));
            }
            if (dialect != null) {
                MDC.put(DIALECT, dialect);
            }
            if (userId != null) {
                MDC.put(USER_ID, userId);
            }
            logCall.run();
        } finally {
            if (before == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(before);
            }
        }
    }
}
