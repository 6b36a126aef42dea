package io.parley.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code GET /metrics}: Prometheus text exposition of every meter. */
public final class MetricsRoute implements HttpRoute {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsRoute(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpResponses.send(ctx, request, HttpResponseStatus.OK, CONTENT_TYPE, HttpResponses.utf8(registry.scrape()));
    }
}
