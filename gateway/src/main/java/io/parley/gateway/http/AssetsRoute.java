package io.parley.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The browser pages' static files, from the jar: {@code /assets/<file>} from the classpath's
 * {@code web/}, {@code /assets/webjars/<library>/<version>/<file>} from the webjars on the
 * classpath (Swagger UI, uPlot; no build step, no CDN). Each file found is read once and then
 * served from memory: the cache holds at most what the jar holds. Webjar files carry
 * their version in the path and are cached by browsers for good; the pages' own files for an hour.
 */
public final class AssetsRoute implements HttpRoute {
    public static final String PATH = "/assets";
    private static final String WEBJARS = "/webjars/";
    /** Path segments of letters, digits and {@code . _ - @}, no segment starting with a dot. */
    private static final Pattern SAFE = Pattern.compile("(/[A-Za-z0-9_@-][A-Za-z0-9._@-]*)+");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("map", "application/json"),
            Map.entry("png", "image/png"), Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"), Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("yaml", "application/yaml; charset=utf-8"));

    private final Map<String, byte[]> files = new ConcurrentHashMap<>(); // only files found: misses are not kept

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            HttpResponses.methodNotAllowed(ctx, request, "GET, HEAD", "use GET");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path().substring(PATH.length());
        String type = SAFE.matcher(path).matches() ? TYPES.get(extension(path)) : null;
        byte[] bytes = type == null ? null : files.computeIfAbsent(path, AssetsRoute::read);
        if (bytes == null) {
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no asset " + PATH + path);
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                HttpMethod.HEAD.equals(request.method()) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, path.startsWith(WEBJARS)
                        ? "public, max-age=31536000, immutable" : "public, max-age=3600")
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(response, bytes.length);
        HttpResponses.write(ctx, request, response);
    }

    /** The file's bytes, or {@code null} when the jar has no such file. */
    private static byte[] read(String path) {
        String resource = path.startsWith(WEBJARS) ? "/META-INF/resources" + path : "/web" + path;
        try (InputStream in = AssetsRoute.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
