package io.parley.gateway.session;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

import java.util.Map;

/** The handler that holds its connection's session, found by handlers that log about it. */
public interface SessionOwner {

    Session session();

    /** The session of the connection, or {@code null} before it has one. Walks the pipeline: for log lines, not per frame. */
    static Session find(ChannelPipeline pipeline) {
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            if (entry.getValue() instanceof SessionOwner owner) {
                return owner.session();
            }
        }
        return null;
    }
}
