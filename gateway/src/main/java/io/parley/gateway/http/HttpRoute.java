package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/** One plain-HTTP endpoint. Runs on the event loop: must not block (hand slow work off). */
public interface HttpRoute {

    /** Answers the request; the router releases it afterwards, so retain it to keep it. */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request);
}
