package io.parley.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.parley.gateway.handshake.DialectEndpoint;

import java.util.List;
import java.util.Map;

/**
 * First stop of every HTTP request: a WebSocket endpoint's request goes on to the handshake
 * handler; anything else is answered by its {@link HttpRoute} or with a JSON 404.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpRouter.class);
    private final Map<String, HttpRoute> routes;
    private final List<DialectEndpoint> endpoints;

    /** @param routes exact paths to routes */
    public HttpRouter(Map<String, HttpRoute> routes, List<DialectEndpoint> endpoints) {
        this.routes = Map.copyOf(routes);
        this.endpoints = List.copyOf(endpoints);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                HttpResponses.error(ctx, null, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
            } else if (cause instanceof TooLongHttpLineException) {
                HttpResponses.error(ctx, null, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
            } else {
                HttpResponses.error(ctx, null, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            }
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        for (DialectEndpoint endpoint : endpoints) {
            if (endpoint.matches(uri)) {
                ctx.fireChannelRead(request.retain());
                return;
            }
        }
        HttpRoute route = routes.get(uri.path());
        if (route == null) {
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no route for " + uri.path());
            return;
        }
        route.handle(ctx, request);
    }

    /**
     * The HTTP phase's failures end here rather than at the pipeline's tail (a warning with a
     * stack trace per event): a peer that resets mid-request is routine, anything else is logged.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException || cause instanceof io.netty.handler.ssl.NotSslRecordException
                || cause.getCause() instanceof javax.net.ssl.SSLException) {
            log.debug("connection lost on {}: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("unexpected error on {}", ctx.channel(), cause);
        }
        ctx.close();
    }
}
