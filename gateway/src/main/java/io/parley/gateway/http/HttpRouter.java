package io.parley.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.parley.gateway.logging.ConnectionMdc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Predicate;

/**
 * First stop of every HTTP request: a WebSocket endpoint's request goes on to the handshake
 * handler; anything else is answered by its {@link HttpRoute} or with a JSON 404.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    private final Map<String, HttpRoute> routes;
    private final Map<String, HttpRoute> subtrees;
    private final Predicate<QueryStringDecoder> webSocketEndpoint;

    /** @param routes exact paths to routes */
    public HttpRouter(Map<String, HttpRoute> routes, Predicate<QueryStringDecoder> webSocketEndpoint) {
        this(routes, Map.of(), webSocketEndpoint);
    }

    /**
     * @param routes   exact paths to routes
     * @param subtrees paths to routes that also serve every path below them ({@code /api/v1/chats}
     *                 serves {@code /api/v1/chats/{id}/messages})
     * @param webSocketEndpoint true for a request the handshake handler answers
     */
    public HttpRouter(Map<String, HttpRoute> routes, Map<String, HttpRoute> subtrees,
                      Predicate<QueryStringDecoder> webSocketEndpoint) {
        this.routes = Map.copyOf(routes);
        this.subtrees = Map.copyOf(subtrees);
        this.webSocketEndpoint = webSocketEndpoint;
    }

    private HttpRoute subtreeRoute(String path) {
        for (Map.Entry<String, HttpRoute> subtree : subtrees.entrySet()) {
            if (path.equals(subtree.getKey()) || path.startsWith(subtree.getKey() + "/")) {
                return subtree.getValue();
            }
        }
        return null;
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
        if (webSocketEndpoint.test(uri)) {
            ctx.fireChannelRead(request.retain());
            return;
        }
        HttpRoute route = routes.get(uri.path());
        if (route == null) {
            route = subtreeRoute(uri.path());
        }
        if (route == null) {
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no route for " + uri.path());
            return;
        }
        route.handle(ctx, request);
    }

    /**
     * The HTTP phase's failures end here rather than at the pipeline's tail (a warning with a
     * stack trace per event): a peer that resets mid-request is routine and just closes; anything
     * else is a bug, logged, and still answered (500, then close) so no client hangs.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException || cause instanceof io.netty.handler.ssl.NotSslRecordException
                || cause.getCause() instanceof javax.net.ssl.SSLException) {
            if (log.isDebugEnabled()) {
                ConnectionMdc.run(ctx.channel(), null, null,
                        () -> log.debug("connection lost on {}: {}", ctx.channel(), cause.toString()));
            }
            ctx.close();
            return;
        }
        ConnectionMdc.run(ctx.channel(), null, null, () -> log.error("HTTP request on {} failed", ctx.channel(), cause));
        if (ctx.channel().isActive()) {
            HttpResponses.error(ctx, null, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        } else {
            ctx.close();
        }
    }
}
