package io.parley.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves one file bundled in the jar (a page, a served contract). */
public final class StaticPageRoute implements HttpRoute {
    private final byte[] body;
    private final String contentType;

    public StaticPageRoute(String resource, String contentType) {
        this(read(resource), contentType);
    }

    private StaticPageRoute(byte[] body, String contentType) {
        this.body = body;
        this.contentType = contentType;
    }

    /** A YAML document of the jar served as JSON, for pages that read it without a YAML parser. */
    public static StaticPageRoute yamlAsJson(String resource) {
        try {
            JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(read(resource));
            return new StaticPageRoute(new ObjectMapper().writeValueAsBytes(document), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException("resource " + resource + " is not YAML", e);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticPageRoute.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpResponses.send(ctx, request, HttpResponseStatus.OK, contentType, body);
    }
}
