package io.parley.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** Writes plain HTTP responses, honouring keep-alive. JSON errors look like {@code {"error": {"code", "message"}}}. */
public final class HttpResponses {
    public static final ObjectMapper JSON = new ObjectMapper();

    private HttpResponses() {
    }

    public static void json(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, Object body) {
        send(ctx, request, status, "application/json", encode(body));
    }

    private static byte[] encode(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode response body", e);
        }
    }

    public static void error(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String message) {
        json(ctx, request, status, errorBody(status, message));
    }

    /** 405 with the {@code Allow} header RFC 9110 requires. */
    public static void methodNotAllowed(ChannelHandlerContext ctx, HttpRequest request, String allow, String message) {
        byte[] body = encode(errorBody(HttpResponseStatus.METHOD_NOT_ALLOWED, message));
        FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json", body);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        write(ctx, request, response);
    }

    /** The error response itself, marked {@code Connection: close}, for a caller that closes the connection its own way. */
    public static FullHttpResponse closingError(HttpResponseStatus status, String message) {
        FullHttpResponse response = response(status, "application/json", encode(errorBody(status, message)));
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private static ObjectNode errorBody(HttpResponseStatus status, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", status.code());
        error.put("message", message);
        return body;
    }

    public static void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                            String contentType, byte[] body) {
        write(ctx, request, response(status, contentType, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    /** Writes a built response, keeping the connection open only for a keep-alive request answered below 500. */
    public static void write(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = request != null && HttpUtil.isKeepAlive(request) && response.status().code() < 500;
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
