package io.parley.gateway.attachments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Credentials;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.Failures;
import io.parley.gateway.http.HttpResponses;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.rest.RestShapes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /api/v1/chats/{id}/attachments} ({@code multipart/form-data}, the file in part
 * {@code file}), ahead of the HTTP aggregator so the body streams to a temporary file instead of
 * memory. Refused before the body is read: no or a bad token (401), a body announced larger than
 * the limit (413), not multipart (415), too many uploads at once (503); as soon as known while it
 * streams: not a member (403/404), past the limit (413). Answered 201 {@code {"attachment": ...}}.
 * An error answered before the whole body arrived closes the connection (the rest is never read).
 *
 * <p>One per connection. Parsing and disk writes run on {@link AttachmentFiles}' pool, one chunk
 * at a time; the socket is not read meanwhile, which bounds what waits in memory to one read.
 * Every other request passes through untouched.
 */
public final class UploadHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UploadHandler.class);
    private static final String PREFIX = "/api/v1/chats/";
    private static final String SUFFIX = "/attachments";
    /** Multipart headers and boundaries around the file: a body this much over the limit may still hold a file within it. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;
    /** How long a refused upload's connection still reads (and drops) what its client sends. */
    private static final Duration LINGER = Duration.ofSeconds(2);

    private final AttachmentFiles files;
    private final TokenVerifier tokens;
    private Upload upload; // the request being received, or null

    public UploadHandler(AttachmentFiles files, TokenVerifier tokens) {
        this.files = files;
        this.tokens = tokens;
    }

    /** The chat of an upload request, or {@code null} for any other request. */
    static String chatOf(HttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            return null;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
            return null;
        }
        String chatId = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
        return chatId.contains("/") ? null : chatId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upload != null) {
            if (msg instanceof HttpContent content) {
                upload.receive(ctx, content);
            } else {
                ReferenceCountUtil.release(msg); // a request pipelined behind a refused upload: the connection closes
            }
        } else if (msg instanceof HttpRequest request && request.decoderResult().isSuccess() && chatOf(request) != null) {
            upload = new Upload(request);
            upload.begin(ctx);
            if (msg instanceof HttpContent content) {
                upload.receive(ctx, content);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (upload != null) {
            upload.end();
        }
        ctx.fireChannelInactive();
    }

    /** One upload request, from its headers to its answer. */
    private final class Upload {
        private final HttpRequest request;
        private final Queue<HttpContent> waiting = new ArrayDeque<>();
        private final SerialExecutor steps = new SerialExecutor(files.io());
        private HttpPostMultipartRequestDecoder decoder;
        private CompletableFuture<?> membership;
        private Principal principal;
        private boolean admitted;
        private boolean parsing; // a chunk is on the pool
        private boolean answered;
        private boolean ended;

        Upload(HttpRequest request) {
            this.request = request;
        }

        void begin(ChannelHandlerContext ctx) {
            try {
                principal = tokens.verify(Credentials.fromBearer(request));
            } catch (AuthException e) {
                refuse(ctx, HttpResponseStatus.UNAUTHORIZED, e.getMessage());
                return;
            }
            long announced = HttpUtil.getContentLength(request, -1L);
            if (announced > files.options().maxBytes() + MULTIPART_OVERHEAD) {
                refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
                return;
            }
            if (!HttpPostRequestDecoder.isMultipart(request)) {
                refuse(ctx, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                        "send the file as multipart/form-data in a part named \"file\" (curl -F file=@photo.png)");
                return;
            }
            if (!files.admit()) {
                refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many uploads in progress; try again shortly");
                return;
            }
            admitted = true;
            try {
                decoder = new HttpPostMultipartRequestDecoder(files.dataFactory(), request);
            } catch (RuntimeException e) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed multipart request: " + e.getMessage());
                return;
            }
            String chatId = chatOf(request);
            membership = files.access().uploadTo(principal, chatId);
            membership.whenComplete((entry, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    fail(ctx, failure);
                } else if (HttpUtil.is100ContinueExpected(request) && !answered) {
                    // The client waits for this before sending the body: a refusal above costs it nothing.
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
            }));
        }

        void receive(ChannelHandlerContext ctx, HttpContent chunk) {
            if (answered) {
                ReferenceCountUtil.release(chunk); // the connection is closing
                return;
            }
            waiting.add(chunk);
            if (!parsing) {
                parseNext(ctx);
            }
        }

        /** The next waiting chunk to the pool; the socket is read again once none waits. */
        private void parseNext(ChannelHandlerContext ctx) {
            HttpContent chunk = waiting.poll();
            if (chunk == null) {
                ctx.channel().config().setAutoRead(true);
                return;
            }
            ctx.channel().config().setAutoRead(false);
            parsing = true;
            boolean last = chunk instanceof LastHttpContent;
            try {
                steps.execute(() -> {
                    RuntimeException failure = null;
                    try {
                        decoder.offer(chunk);
                    } catch (RuntimeException e) {
                        failure = e;
                    } finally {
                        chunk.release();
                    }
                    RuntimeException parsed = failure;
                    ctx.executor().execute(() -> parsed(ctx, parsed, last));
                });
            } catch (RejectedExecutionException e) {
                chunk.release();
                parsing = false;
                fail(ctx, e);
            }
        }

        private void parsed(ChannelHandlerContext ctx, RuntimeException failure, boolean last) {
            parsing = false;
            if (answered) {
                return;
            }
            if (failure != null) {
                fail(ctx, failure);
            } else if (last) {
                ctx.channel().config().setAutoRead(true);
                finish(ctx);
            } else {
                parseNext(ctx);
            }
        }

        private void finish(ChannelHandlerContext ctx) {
            InterfaceHttpData part = decoder.getBodyHttpData("file");
            if (!(part instanceof FileUpload file) || !file.isCompleted()) {
                fail(ctx, new UploadRefused(HttpResponseStatus.BAD_REQUEST,
                        "no file: send it in a multipart part named \"file\" (curl -F file=@photo.png)"));
                return;
            }
            String chatId = chatOf(request);
            membership.thenCompose(entry -> files.store(principal, chatId, file, steps))
                    .whenComplete((attachment, failure) -> ctx.executor().execute(() -> {
                        if (failure != null) {
                            fail(ctx, failure);
                        } else {
                            answer(ctx, attachment);
                        }
                    }));
        }

        private void answer(ChannelHandlerContext ctx, Attachment attachment) {
            if (answered) {
                return;
            }
            answered = true;
            ObjectNode body = HttpResponses.JSON.createObjectNode();
            body.set("attachment", RestShapes.attachment(attachment));
            HttpResponses.json(ctx, request, HttpResponseStatus.CREATED, body);
            end();
            upload = null;
        }

        private void fail(ChannelHandlerContext ctx, Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof UploadRefused refused) {
                refuse(ctx, refused.status(), refused.getMessage());
            } else if (cause instanceof HttpPostRequestDecoder.ErrorDataDecoderException e
                    && e.getCause() instanceof java.io.IOException && String.valueOf(e.getMessage()).contains("maximum")) {
                refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
            } else if (cause instanceof HttpPostRequestDecoder.ErrorDataDecoderException
                    || cause instanceof HttpPostRequestDecoder.TooManyFormFieldsException
                    || cause instanceof HttpPostRequestDecoder.TooLongFormFieldException) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed multipart request");
            } else if (cause instanceof ChatException e) {
                refuse(ctx, HttpResponseStatus.valueOf(e.code().status()), e.getMessage());
            } else if (cause instanceof RejectedExecutionException) {
                refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many uploads in progress; try again shortly");
            } else {
                ChatException translated = Failures.toChatException(cause);
                if (translated.code().status() >= 500) {
                    log.warn("upload on {} failed", ctx.channel(), cause);
                    files.metrics().failed();
                    respond(ctx, HttpResponseStatus.valueOf(translated.code().status()), translated.getMessage());
                } else {
                    refuse(ctx, HttpResponseStatus.valueOf(translated.code().status()), translated.getMessage());
                }
            }
        }

        private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
            if (!answered) {
                files.metrics().refused();
                respond(ctx, status, message);
            }
        }

        /**
         * An error, maybe before the body was read to its end: the connection closes after it, so
         * nothing of the rest of the body is taken for a request. Closed the lingering way: our
         * side shuts its output and reads (and drops) what the client still sends for a moment,
         * then closes — closing at once with its data unread would reset the connection, and a
         * client still sending could lose the answer.
         */
        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
            if (answered) {
                return;
            }
            answered = true;
            ctx.writeAndFlush(HttpResponses.closingError(status, message)).addListener(written -> {
                if (ctx.channel() instanceof DuplexChannel duplex && written.isSuccess()) {
                    duplex.shutdownOutput();
                    ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    ctx.close();
                }
            });
            ctx.channel().config().setAutoRead(true);
            end();
        }

        /** Frees what the upload holds: waiting chunks, its temporary files, its slot. */
        void end() {
            if (ended) {
                return;
            }
            ended = true;
            HttpContent chunk;
            while ((chunk = waiting.poll()) != null) {
                chunk.release();
            }
            if (decoder != null) {
                HttpPostMultipartRequestDecoder parts = decoder;
                Runnable destroy = () -> {
                    try {
                        parts.destroy();
                    } catch (RuntimeException e) {
                        log.debug("upload cleanup: {}", e.toString());
                    }
                };
                try {
                    steps.execute(destroy); // after any step of this upload still on the pool
                } catch (RejectedExecutionException e) {
                    log.warn("upload cleanup refused by a full pool; its temporary file stays until restart");
                }
            }
            if (admitted) {
                admitted = false;
                files.release();
            }
        }

        private String tooLarge() {
            return "the file is larger than this server accepts (attachment_max_bytes: " + files.options().maxBytes()
                    + " bytes)";
        }
    }
}
