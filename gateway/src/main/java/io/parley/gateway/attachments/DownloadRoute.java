package io.parley.gateway.attachments;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.Failures;
import io.parley.gateway.http.ApiRequests;
import io.parley.gateway.http.HttpResponses;
import io.parley.gateway.http.HttpRoute;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.model.Attachment;
import io.parley.storage.StoredAttachment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET|HEAD /api/v1/attachments/{id}} for the members of the file's chat (Bearer token):
 * the bytes from this node's disk, with single-range requests (206/416), an ETag (a file never
 * changes under its id) and private caching; or, on object storage, 302 to a short-lived presigned
 * URL. Served as what its bytes are ({@code X-Content-Type-Options: nosniff}), images inline and
 * everything else as a download, under a sandboxing Content-Security-Policy.
 */
public final class DownloadRoute implements HttpRoute {
    public static final String PATH = "/api/v1/attachments";

    private final AttachmentFiles files;
    private final TokenVerifier tokens;

    public DownloadRoute(AttachmentFiles files, TokenVerifier tokens) {
        this.files = files;
        this.tokens = tokens;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!head && !HttpMethod.GET.equals(request.method())) {
            HttpResponses.methodNotAllowed(ctx, request, "GET, HEAD", "use GET to download an attachment");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        String id = path.startsWith(PATH + "/") ? path.substring(PATH.length() + 1) : "";
        if (!Attachment.validId(id)) {
            HttpResponses.error(ctx, request, HttpResponseStatus.NOT_FOUND, "no attachment " + path);
            return;
        }
        Principal principal = ApiRequests.principal(ctx, request, tokens);
        if (principal == null) {
            return;
        }
        Asked asked = new Asked(head, HttpUtil.isKeepAlive(request), request.headers().get(HttpHeaderNames.RANGE),
                request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        // The request is released when this returns; an error answer needs its headers (keep-alive).
        HttpRequest answerTo = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers().copy());
        files.access().download(principal, id)
                .thenCompose(stored -> CompletableFuture.supplyAsync(() -> open(stored), files.io()))
                .whenComplete((source, failure) -> ctx.executor().execute(() -> {
                    if (failure != null) {
                        ChatException error = Failures.toChatException(failure);
                        HttpResponses.error(ctx, answerTo, HttpResponseStatus.valueOf(error.code().status()),
                                error.getMessage());
                    } else {
                        files.metrics().downloaded();
                        send(ctx, asked, source);
                    }
                }));
    }

    /** What of the request the answer depends on. */
    private record Asked(boolean head, boolean keepAlive, String range, String ifNoneMatch) {
    }

    /** Where the bytes come from: an open file, or a redirect. */
    private record Source(StoredAttachment stored, FileChannel file, long length, URI redirect) {
    }

    private Source open(StoredAttachment stored) {
        Attachment a = stored.attachment();
        try {
            BlobStore.Download download = files.blobs().download(a.id(), a.mediaType(), a.name());
            if (download instanceof BlobStore.Download.Redirect redirect) {
                return new Source(stored, null, 0, redirect.location());
            }
            FileChannel file = FileChannel.open(((BlobStore.Download.LocalFile) download).file(), StandardOpenOption.READ);
            return new Source(stored, file, file.size(), null);
        } catch (NoSuchFileException e) {
            throw new ChatException(ErrorCode.NOT_FOUND,
                    "attachment " + a.id() + " has no file any more");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(ChannelHandlerContext ctx, Asked asked, Source source) {
        Attachment a = source.stored().attachment();
        if (source.redirect() != null) {
            DefaultFullHttpResponse found = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
            found.headers().set(HttpHeaderNames.LOCATION, source.redirect().toString())
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store") // the presigned URL expires
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            finish(ctx, asked, ctx.writeAndFlush(found));
            return;
        }
        String etag = "\"" + a.id() + "\"";
        if (etag.equals(asked.ifNoneMatch())) {
            DefaultFullHttpResponse notModified = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.NOT_MODIFIED);
            describe(notModified.headers(), a, etag);
            closeQuietly(source.file());
            finish(ctx, asked, ctx.writeAndFlush(notModified));
            return;
        }
        long length = source.length();
        ByteRange.Asked range = ByteRange.parse(asked.range(), length);
        if (range instanceof ByteRange.Unsatisfiable) {
            DefaultFullHttpResponse unsatisfiable = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            unsatisfiable.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + length)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            closeQuietly(source.file());
            finish(ctx, asked, ctx.writeAndFlush(unsatisfiable));
            return;
        }
        ByteRange part = range instanceof ByteRange.Part p ? p.range() : new ByteRange(0, length - 1);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                range instanceof ByteRange.Part ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        describe(response.headers(), a, etag);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(a))
                .set(HttpHeaderNames.CONTENT_DISPOSITION, ContentDisposition.of(a.mediaType(), a.name()))
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        HttpUtil.setContentLength(response, length == 0 ? 0 : part.length());
        if (range instanceof ByteRange.Part) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + part.first() + "-" + part.last() + "/" + length);
        }
        HttpUtil.setKeepAlive(response, asked.keepAlive());
        ctx.write(response);
        if (asked.head() || length == 0) {
            closeQuietly(source.file());
            finish(ctx, asked, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        try {
            if (ctx.pipeline().get(SslHandler.class) == null) {
                // Zero-copy from the page cache to the socket; the region closes the file.
                ctx.write(new DefaultFileRegion(source.file(), part.first(), part.length()));
                finish(ctx, asked, ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            } else {
                // TLS encrypts in user space: the file goes through in chunks (ChunkedWriteHandler).
                finish(ctx, asked, ctx.writeAndFlush(new HttpChunkedInput(
                        new ChunkedNioFile(source.file(), part.first(), part.length(), 64 * 1024))));
            }
        } catch (IOException e) {
            closeQuietly(source.file());
            ctx.close();
        }
    }

    private static void describe(HttpHeaders headers, Attachment a, String etag) {
        headers.set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.CACHE_CONTROL, "private, max-age=31536000, immutable")
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox");
    }

    private static String contentType(Attachment a) {
        return a.mediaType().startsWith("text/") ? a.mediaType() + "; charset=utf-8" : a.mediaType();
    }

    private static void finish(ChannelHandlerContext ctx, Asked asked, ChannelFuture written) {
        if (!asked.keepAlive()) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void closeQuietly(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }
}
