package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves one page bundled in the jar (the browser chat page at {@code /}). */
public final class StaticPageRoute implements HttpRoute {
    private final byte[] body;
    private final String contentType;

    public StaticPageRoute(String resource, String contentType) {
        try (InputStream in = StaticPageRoute.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the jar");
            }
            this.body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.contentType = contentType;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpResponses.send(ctx, request, HttpResponseStatus.OK, contentType, body);
    }
}
